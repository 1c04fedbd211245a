// The OCIRepository CRD on a real kube-apiserver: the examples and Flux's own
// manifests (from the flux CLI, apiVersion changed) are accepted and come
// back with the schema's defaults; bad objects are refused by the schema and
// CEL rules with the same path and words src/api/ uses at reconcile time;
// a status built with src/api/ passes the status schema.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  API_VERSION, CONDITION, isSpecInvalidError, parseOCIRepository, REASON, setCondition, setReadySummary, toRevision,
  type FieldError, type OCIRepository,
} from '../../../src/api/index.ts';
import { kube } from '../../env/environment.ts';
import type { KubeCluster } from '../../env/kube.ts';
import { run, type RunResult } from '../../env/run.ts';
import { toolPath } from '../../env/tools.ts';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const CRD_FILE = join(repoRoot, 'config/crd/source.k8sstormcenter.io_ocirepositories.yaml');
const EXAMPLES = join(repoRoot, 'examples');
const URL = 'oci://registry.example.com/team/honey';
const DIGEST = `sha256:${'3b6c'.repeat(16)}`;

type Json = Record<string, unknown>;

/** A bad spec, the [path, message] pairs the parser reports, and (when the schema, not CEL, refuses it) the server's own words. */
interface BadCase {
  readonly name: string;
  readonly spec: Json;
  readonly errors: readonly (readonly [string, string])[];
  readonly server?: readonly (readonly [string, string])[];
}

const RE2 = 'must be a Go RE2 regular expression';
const NAME = "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.'";

const BAD: readonly BadCase[] = [
  { name: 'url not oci://', spec: { url: 'https://x', interval: '5m' },
    errors: [['spec.url', 'must start with oci:// (oci://<host>[:port]/<repository>)']] },
  { name: 'url with credentials', spec: { url: 'oci://user:pw@r.io/a', interval: '5m' },
    errors: [['spec.url', 'must not contain credentials (user:password@); use spec.secretRef']] },
  { name: 'url with a tag', spec: { url: 'oci://r.io/a/b:v1.0', interval: '5m' },
    errors: [['spec.url', "must not contain a tag; remove ':v1.0' and use spec.ref.tag"]] },
  { name: 'url with a digest', spec: { url: `oci://r.io/a@${DIGEST}`, interval: '5m' },
    errors: [['spec.url', 'must not contain a digest; use spec.ref.digest']] },
  { name: 'url without repository', spec: { url: 'oci://r.io', interval: '5m' },
    errors: [['spec.url', 'must name a repository: oci://<host>[:port]/<repository>']] },
  { name: 'url with an uppercase repository', spec: { url: 'oci://r.io/Team/app', interval: '5m' },
    errors: [['spec.url', 'must be oci://<host>[:port]/<repository>, the repository made of lowercase components']] },
  { name: 'url without a registry host', spec: { url: 'oci://library/alpine', interval: '5m' },
    errors: [['spec.url', "must start with a registry host (with a '.' or a port, or localhost)"]] },
  { name: 'interval 0s', spec: { url: URL, interval: '0s' }, errors: [['spec.interval', 'must be between 1s and 8760h']] },
  { name: 'interval 1000000h', spec: { url: URL, interval: '1000000h' }, errors: [['spec.interval', 'must be between 1s and 8760h']] },
  { name: 'interval -1s', spec: { url: URL, interval: '-1s' },
    errors: [['spec.interval', 'must be a duration such as 30s, 5m or 1h30m (units ms, s, m, h)']] },
  { name: 'interval 1ns', spec: { url: URL, interval: '1ns' },
    errors: [['spec.interval', 'must be a duration such as 30s, 5m or 1h30m (units ms, s, m, h)']] },
  { name: 'timeout in hours', spec: { url: URL, interval: '5m', timeout: '1h' },
    errors: [['spec.timeout', 'must be a duration such as 30s, 90s or 5m (units ms, s, m)']] },
  { name: 'timeout 11m', spec: { url: URL, interval: '5m', timeout: '11m' }, errors: [['spec.timeout', 'must be between 1s and 10m']] },
  { name: 'bad ref fields', spec: { url: URL, interval: '5m', ref: { digest: 'sha256:abc', tag: '-x', semverFilter: 'a(?=b)' } }, errors: [
    ['spec.ref.digest', 'must be sha256:<64 lowercase hex> or sha512:<128 lowercase hex>'],
    ['spec.ref.semverFilter', 'semverFilter applies only with semver; set spec.ref.semver or remove semverFilter'],
    ['spec.ref.semverFilter', RE2],
    ['spec.ref.tag', 'must be a tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}']] },
  { name: 'semverFilter with a backreference', spec: { url: URL, interval: '5m', ref: { semver: '*', semverFilter: '(a)\\1' } },
    errors: [['spec.ref.semverFilter', RE2]] },
  { name: 'media type without subtype', spec: { url: URL, interval: '5m', layerSelector: { mediaType: 'tarball' } },
    errors: [['spec.layerSelector.mediaType', 'must be a media type type/subtype (RFC 6838), without parameters']] },
  { name: 'names that are not DNS subdomains', spec: { url: URL, interval: '5m', secretRef: { name: 'Pull_Secret' }, serviceAccountName: 'SA' },
    errors: [['spec.secretRef.name', NAME], ['spec.serviceAccountName', NAME]] },
  { name: 'cosign keyless without identities', spec: { url: URL, interval: '5m', verify: { provider: 'cosign' } },
    errors: [['spec.verify.matchOIDCIdentity', 'cosign keyless verification (no secretRef) needs at least one matchOIDCIdentity entry']] },
  { name: 'an empty verify (provider defaults to cosign)', spec: { url: URL, interval: '5m', verify: {} },
    errors: [['spec.verify.matchOIDCIdentity', 'an empty list would accept any signer']] },
  { name: 'an empty identity list', spec: { url: URL, interval: '5m', verify: { provider: 'cosign', matchOIDCIdentity: [] } },
    errors: [['spec.verify.matchOIDCIdentity', 'an empty list would accept any signer']] },
  { name: 'identities with a key', spec: { url: URL, interval: '5m', verify: { secretRef: { name: 'k' }, matchOIDCIdentity: [{ issuer: 'a', subject: 'b' }] } },
    errors: [['spec.verify.matchOIDCIdentity', 'matchOIDCIdentity applies only to cosign keyless verification (provider cosign without secretRef)']] },
  { name: 'notation without a secret, with cosign-only fields', spec: {
    url: URL, interval: '5m',
    verify: { provider: 'notation', matchOIDCIdentity: [{ issuer: 'a', subject: 'b' }], trustedRootSecretRef: { name: 'r' }, attestations: [{ predicateType: 'https://a/b' }] },
  }, errors: [
    ['spec.verify.secretRef', 'notation verification needs secretRef: a Secret with trustpolicy.json and the CA certificates (*.crt, *.pem)'],
    ['spec.verify.matchOIDCIdentity', 'matchOIDCIdentity applies only to cosign keyless verification'],
    ['spec.verify.trustedRootSecretRef', 'trustedRootSecretRef applies only to provider cosign'],
    ['spec.verify.attestations', 'attestations are verified only by provider cosign']] },
  { name: 'policy without a secret', spec: { url: URL, interval: '5m', verify: { provider: 'policy' } },
    errors: [['spec.verify.secretRef', 'policy verification needs secretRef: a Secret with policy.json, optionally registries.d, and the key files its keyPaths name']] },
  { name: 'identity regexps RE2 refuses', spec: { url: URL, interval: '5m', verify: { matchOIDCIdentity: [{ issuer: '^https://x$', subject: '(?<!evil)\\.corp$' }] } },
    errors: [['spec.verify.matchOIDCIdentity[0].subject', RE2]] },
  { name: 'a predicate type that is not a URI', spec: { url: URL, interval: '5m', verify: { secretRef: { name: 'k' }, attestations: [{ predicateType: 'slsaprovenance' }] } },
    errors: [['spec.verify.attestations[0].predicateType', 'must be an absolute URI such as https://slsa.dev/provenance/v1']] },
  // The schema itself (not CEL) refuses these, in the API server's words (server-side apply's typed patch for types and list keys).
  { name: 'unknown provider', spec: { url: URL, interval: '5m', provider: 'ibm' },
    errors: [['spec.provider', 'must be one of generic, aws, azure, gcp']], server: [['spec.provider', 'Unsupported value: "ibm"']] },
  { name: 'unknown layer operation', spec: { url: URL, interval: '5m', layerSelector: { operation: 'move' } },
    errors: [['spec.layerSelector.operation', 'must be one of extract, copy']], server: [['spec.layerSelector.operation', 'Unsupported value: "move"']] },
  { name: 'unknown verify provider', spec: { url: URL, interval: '5m', verify: { provider: 'gpg', secretRef: { name: 'k' } } },
    errors: [['spec.verify.provider', 'must be one of cosign, notation, policy']], server: [['spec.verify.provider', 'Unsupported value: "gpg"']] },
  { name: 'missing interval', spec: { url: URL }, errors: [['spec.interval', 'is required']], server: [['spec.interval', 'Required value']] },
  { name: 'reference without a name', spec: { url: URL, interval: '5m', certSecretRef: {} },
    errors: [['spec.certSecretRef.name', 'is required']], server: [['spec.certSecretRef.name', 'Required value']] },
  { name: 'a boolean as a string', spec: { url: URL, interval: '5m', insecure: 'yes' },
    errors: [['spec.insecure', 'must be a boolean, not string']], server: [['.spec.insecure', 'expected boolean']] },
  { name: 'url too long', spec: { url: `oci://r.io/${'a'.repeat(251)}`, interval: '5m' },
    errors: [['spec.url', 'must be at most 261 characters long']], server: [['spec.url', 'Too long']] },
  { name: 'duplicate attestations', spec: { url: URL, interval: '5m', verify: { secretRef: { name: 'k' }, attestations: [{ predicateType: 'https://a/b' }, { predicateType: 'https://a/b' }] } },
    errors: [['spec.verify.attestations[1].predicateType', 'duplicate predicateType']], server: [['.spec.verify.attestations', 'duplicate entries for key [predicateType="https://a/b"]']] },
  { name: 'too many identities', spec: { url: URL, interval: '5m', verify: { matchOIDCIdentity: Array.from({ length: 33 }, () => ({ issuer: 'a', subject: 'b' })) } },
    errors: [['spec.verify.matchOIDCIdentity', 'must have at most 32 entries']], server: [['spec.verify.matchOIDCIdentity', 'Too many: 33']] },
  { name: 'unknown field', spec: { url: URL, interval: '5m', tag: 'v1' },
    errors: [['spec.tag', 'unknown field']], server: [['.spec.tag', 'field not declared in schema']] },
];

/** The Flux CLI's `create source oci --export` flag sets whose output must be accepted as-is, apiVersion aside. */
const FLUX_MANIFESTS: readonly (readonly string[])[] = [
  ['flux-tag', '--url=oci://ghcr.io/stefanprodan/manifests/podinfo', '--tag=6.1.6', '--interval=10m'],
  ['flux-semver', '--url=oci://ghcr.io/stefanprodan/manifests/podinfo', '--tag-semver=>=6.0.0, <7.0.0', '--interval=10m',
    '--secret-ref=regcred', '--verify-provider=cosign', '--verify-secret-ref=cosign-pub'],
  ['flux-keyless', '--url=oci://ghcr.io/stefanprodan/manifests/podinfo', '--tag=6.6.2', '--interval=10m', '--verify-provider=cosign',
    '--verify-subject=^https://github.com/stefanprodan/podinfo/.github/workflows/release.yml@refs/tags/6.6.2$',
    '--verify-issuer=^https://token.actions.githubusercontent.com$'],
  ['flux-chart', '--url=oci://example.com/charts/valkey', `--digest=${DIGEST}`, '--insecure', '--cert-ref=ca', '--proxy-secret-ref=proxy',
    '--service-account=puller', '--provider=aws', '--ignore-paths=*.md,!README.md',
    '--layer-selector=application/vnd.cncf.helm.chart.content.v1.tar+gzip:copy'],
];

function toManifest(name: string, spec: Json): string {
  return JSON.stringify({ apiVersion: API_VERSION, kind: 'OCIRepository', metadata: { name, namespace: 'default' }, spec });
}

function parserFields(raw: unknown): FieldError[] {
  try {
    parseOCIRepository(raw);
  } catch (error) {
    assert.ok(isSpecInvalidError(error), String(error));
    return [...error.fields];
  }
  return [];
}

describe('api: the OCIRepository CRD on a real kube-apiserver', function () {
  this.timeout(180_000);
  let cluster: KubeCluster;

  const kubectl = (args: readonly string[], input?: string): Promise<RunResult> =>
    run(toolPath('kubectl'), [`--kubeconfig=${cluster.kubeconfig}`, ...args], { allowFailure: true, ...(input === undefined ? {} : { input }) });

  const mustKubectl = async (args: readonly string[], input?: string): Promise<string> => {
    const result = await kubectl(args, input);
    assert.equal(result.code, 0, `kubectl ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };

  const serverSideApply = (manifest: string, dryRun: boolean): Promise<RunResult> =>
    kubectl(['apply', '--server-side', '--field-manager=bob-api-test', ...(dryRun ? ['--dry-run=server'] : []), '-f', '-'], manifest);

  const readBack = async (name: string): Promise<Json> =>
    JSON.parse(await mustKubectl(['get', 'ocirepository', name, '-n', 'default', '-o', 'json'])) as Json;

  before(async () => {
    cluster = await kube();
    await mustKubectl(['apply', '-f', CRD_FILE]);
    await mustKubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/ocirepositories.source.k8sstormcenter.io']);
  });

  it('accepts every example and serves it back with the schema defaults, which parseOCIRepository reads', async () => {
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).sort();
    assert.ok(files.length >= 4, files.join(', '));
    for (const file of files) {
      const manifest = readFileSync(join(EXAMPLES, file), 'utf8');
      const result = await serverSideApply(manifest, false);
      assert.equal(result.code, 0, `${file}: ${result.stderr}`);
      for (const document of parseAllDocuments(manifest)) {
        const source = document.toJS() as { kind: string; metadata: { name: string } };
        if (source.kind !== 'OCIRepository') continue;
        const served = await readBack(source.metadata.name);
        const spec = served['spec'] as Json;
        assert.equal(typeof spec['timeout'], 'string', `${file}: server default for timeout`);
        assert.equal(typeof spec['provider'], 'string', `${file}: server default for provider`);
        if (spec['verify'] !== undefined) assert.equal(typeof (spec['verify'] as Json)['provider'], 'string', file);
        const { object, warnings } = parseOCIRepository(served);
        assert.deepEqual(warnings, [], file);
        assert.equal(object.metadata.generation, 1, file);
        assert.ok(object.metadata.uid !== undefined && object.metadata.resourceVersion !== undefined, file);
        assert.equal(object.status.observedGeneration, -1, `${file}: status default`);
      }
    }
    const tag = parseOCIRepository(await readBack('honey')).object;
    assert.deepEqual(tag.spec.timeout, { text: '60s', milliseconds: 60_000 });
    assert.equal(tag.spec.provider, 'generic');
    assert.deepEqual(tag.spec.verify, {
      provider: 'cosign', keyless: false, secretRef: { name: 'cosign-pub' }, attestations: [{ predicateType: 'https://slsa.dev/provenance/v1' }],
    });
  });

  it('accepts the Flux CLI\'s own manifests with only the apiVersion changed', async () => {
    for (const [name, ...flags] of FLUX_MANIFESTS) {
      assert.ok(name !== undefined);
      const exported = await run(toolPath('flux'), ['create', 'source', 'oci', name, '-n', 'default', ...flags, '--export', '--kubeconfig=/dev/null']);
      assert.match(exported.stdout, /^apiVersion: source\.toolkit\.fluxcd\.io\/v1$/m);
      const manifest = exported.stdout.replace(/^apiVersion: source\.toolkit\.fluxcd\.io\/v1$/m, `apiVersion: ${API_VERSION}`);
      const result = await serverSideApply(manifest, false);
      assert.equal(result.code, 0, `${name}: ${result.stderr}\n${manifest}`);
      const parsed = parseOCIRepository(await readBack(name)).object;
      assert.equal(parsed.spec.interval.text.endsWith('m0s'), true, name);
    }
    const keyless = parseOCIRepository(await readBack('flux-keyless')).object;
    assert.ok(keyless.spec.verify?.provider === 'cosign' && keyless.spec.verify.keyless);
    assert.equal(keyless.spec.verify.matchOIDCIdentity[0]?.issuer.regexp.test('https://token.actions.githubusercontent.com'), true);
    const chart = parseOCIRepository(await readBack('flux-chart')).object;
    assert.equal(chart.spec.ignore, '*.md\n!README.md');
    assert.deepEqual(chart.spec.layerSelector, { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' });
  });

  it('refuses bad objects with the rule\'s path and message, as the parser does', async () => {
    const failures: string[] = [];
    for (const { name, spec, errors, server } of BAD) {
      const manifest = toManifest('bad', spec);
      const result = await serverSideApply(manifest, true);
      if (result.code === 0) {
        failures.push(`${name}: accepted by the API server`);
        continue;
      }
      const lines = result.stderr.split('\n');
      for (const [path, message] of server ?? errors) {
        if (!lines.some((line) => line.includes(`${path}: `) && line.includes(message))) {
          failures.push(`${name}: API server did not say ${path}: ...${message}...\n${result.stderr}`);
        }
      }
      const fields = parserFields(JSON.parse(manifest));
      for (const [path, message] of errors) {
        if (!fields.some((f) => f.path === path && f.message.includes(message))) {
          failures.push(`${name}: parser did not say ${path}: ...${message}... but ${JSON.stringify(fields)}`);
        }
      }
      if (fields.length !== errors.length) failures.push(`${name}: parser reported ${JSON.stringify(fields)}`);
    }
    assert.deepEqual(failures, []);
  });

  it('the status the controller builds with src/api passes the status schema and reads back unchanged', async () => {
    const now = new Date('2030-01-02T03:04:05.678Z');
    const revision = toRevision('stable', DIGEST);
    let conditions = setCondition([], {
      type: CONDITION.artifactInStorage, status: 'True', reason: REASON.succeeded, message: `stored artifact for digest '${revision}'`, observedGeneration: 1,
    }, now);
    conditions = setCondition(conditions, {
      type: CONDITION.sourceVerified, status: 'True', reason: REASON.succeeded, message: `verified signature of revision ${revision}`, observedGeneration: 1,
    }, now);
    conditions = setReadySummary(conditions, 1, now);
    const status = {
      observedGeneration: 1,
      url: 'http://bob.bob-system.svc/ocirepository/default/honey/latest.tar.gz',
      lastHandledReconcileAt: '2030-01-02T03:04:05.123456789Z',
      artifact: {
        revision, digest: `sha256:${'c'.repeat(64)}`, path: `ocirepository/default/honey/${DIGEST}.tar.gz`,
        url: `http://bob.bob-system.svc/ocirepository/default/honey/${DIGEST}.tar.gz`, size: 1234, lastUpdateTime: '2030-01-02T03:04:05Z',
        metadata: { 'org.opencontainers.image.source': 'https://github.com/k8sstormcenter/honey' },
      },
      observedLayerSelector: { operation: 'extract' },
      conditions,
    };
    await mustKubectl(['patch', 'ocirepository', 'honey', '-n', 'default', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
    const { object, warnings }: { object: OCIRepository; warnings: readonly string[] } = parseOCIRepository(await readBack('honey'));
    assert.deepEqual(warnings, []);
    assert.deepEqual(object.status, status);
    assert.equal(object.status.conditions[0]?.type, 'Ready');
    const printed = await mustKubectl(['get', 'ocirepo', 'honey', '-n', 'default']);
    assert.match(printed, /^NAME\s+URL\s+READY\s+STATUS\s+AGE$/m);
    assert.match(printed, /honey\s+oci:\/\/registry\.example\.com\/team\/manifests\/honey\s+True\s+stored artifact for digest 'stable@sha256:3b6c/);
  });

  it('refuses a status the schema forbids (condition reason grammar, artifact digest)', async () => {
    const bad = {
      status: {
        conditions: [{ type: 'Ready', status: 'True', reason: 'not a reason', message: '', lastTransitionTime: '2030-01-01T00:00:00Z' }],
        artifact: { revision: 'r', digest: 'nope', path: 'p', url: 'u', lastUpdateTime: '2030-01-01T00:00:00Z' },
      },
    };
    const result = await kubectl(['patch', 'ocirepository', 'honey', '-n', 'default', '--subresource=status', '--type=merge', '-p', JSON.stringify(bad)]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /status\.conditions\[0\]\.reason: Invalid value: "not a reason"/);
    assert.match(result.stderr, /status\.artifact\.digest: Invalid value: "nope"/);
  });

  it('kubectl explain shows the field descriptions', async () => {
    const explained = await mustKubectl(['explain', 'ocirepository.spec.verify.matchOIDCIdentity']);
    assert.match(explained, /cosign keyless only: the accepted signers/);
    assert.match(explained, /issuer\s+<string> -required-/);
  });
});
