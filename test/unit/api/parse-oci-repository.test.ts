import assert from 'node:assert/strict';
import {
  API_VERSION, isSpecInvalidError, parseOCIRepository, REASON, SPEC_INVALID, type FieldError, type OCIRepository,
} from '../../../src/api/index.ts';

type Json = Record<string, unknown>;

function object(spec: Json, extra: Json = {}): Json {
  return {
    apiVersion: API_VERSION,
    kind: 'OCIRepository',
    metadata: { name: 'honey', namespace: 'default', uid: 'u-1', generation: 3, resourceVersion: '42' },
    spec,
    ...extra,
  };
}

const URL = 'oci://registry.example.com/team/manifests/honey';

function parse(raw: unknown): OCIRepository {
  return parseOCIRepository(raw).object;
}

function fieldsOf(raw: unknown): FieldError[] {
  try {
    parseOCIRepository(raw);
  } catch (error) {
    assert.ok(isSpecInvalidError(error), String(error));
    assert.equal(error.code, SPEC_INVALID);
    assert.equal(error.errorClass, 'stalling');
    return [...error.fields];
  }
  assert.fail('parseOCIRepository accepted the object');
}

describe('api: parseOCIRepository', () => {
  describe('accepts good objects and applies defaults', () => {
    it('a minimal object: provider generic, timeout 60s, insecure/suspend false, status defaults', () => {
      const parsed = parse(object({ url: URL, interval: '5m' }));
      assert.equal(parsed.spec.provider, 'generic');
      assert.deepEqual(parsed.spec.timeout, { text: '60s', milliseconds: 60_000 });
      assert.deepEqual(parsed.spec.interval, { text: '5m', milliseconds: 300_000 });
      assert.equal(parsed.spec.insecure, false);
      assert.equal(parsed.spec.suspend, false);
      assert.equal(parsed.spec.registry, 'registry.example.com');
      assert.equal(parsed.spec.repository, 'team/manifests/honey');
      assert.equal(parsed.spec.verify, undefined);
      assert.deepEqual(parsed.status, { observedGeneration: -1, conditions: [] });
      assert.deepEqual(parsed.metadata, {
        name: 'honey', namespace: 'default', uid: 'u-1', generation: 3, resourceVersion: '42',
        annotations: {}, labels: {}, finalizers: [],
      });
    });

    it('Flux\'s `flux create source oci --export` output with the apiVersion changed', () => {
      const parsed = parse({
        apiVersion: API_VERSION,
        kind: 'OCIRepository',
        metadata: { name: 'podinfo', namespace: 'flux-system' },
        spec: {
          interval: '10m0s',
          provider: 'generic',
          ref: { semver: '>=6.0.0, <7.0.0' },
          secretRef: { name: 'regcred' },
          url: 'oci://ghcr.io/stefanprodan/manifests/podinfo',
          verify: { provider: 'cosign', secretRef: { name: 'cosign-pub' } },
        },
      });
      assert.equal(parsed.spec.interval.milliseconds, 600_000);
      assert.equal(parsed.spec.ref?.semverRange, '>=6.0.0 <7.0.0');
      assert.deepEqual(parsed.spec.verify, {
        provider: 'cosign', keyless: false, secretRef: { name: 'cosign-pub' }, attestations: [],
      });
      assert.equal(parsed.metadata.generation, 0);
    });

    it('every field set', () => {
      const parsed = parse(object({
        url: 'oci://[::1]:5000/a/b_c__d---e.f',
        ref: { digest: `sha256:${'a'.repeat(64)}`, semver: '^1.2', semverFilter: '(?i)^v?1\\.2\\.\\d+-RC', tag: 'v1.2.3' },
        layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' },
        provider: 'aws',
        secretRef: { name: 'pull' },
        serviceAccountName: 'reader',
        certSecretRef: { name: 'tls.certs' },
        proxySecretRef: { name: 'proxy' },
        insecure: true,
        interval: '1h30m',
        timeout: '1.5s',
        ignore: '*.md\n!README.md',
        suspend: true,
        verify: {
          provider: 'cosign',
          matchOIDCIdentity: [{ issuer: '^https://token\\.actions\\.githubusercontent\\.com$', subject: '^https://github\\.com/org/' }],
          trustedRootSecretRef: { name: 'root' },
          attestations: [{ predicateType: 'https://slsa.dev/provenance/v1' }, { predicateType: 'https://spdx.dev/Document' }],
        },
      }, {
        metadata: {
          name: 'honey', namespace: 'team-a', generation: 7, annotations: { 'reconcile.fluxcd.io/requestedAt': 'now' },
          labels: { app: 'x' }, finalizers: ['source.k8sstormcenter.io/finalizer'],
          deletionTimestamp: '2030-01-01T00:00:00Z', creationTimestamp: '2029-01-01T00:00:00Z', managedFields: [{}],
        },
      }));
      const { spec } = parsed;
      assert.equal(spec.registry, '[::1]:5000');
      const filter = spec.ref?.semverFilter;
      assert.ok(filter);
      assert.equal(filter.regexp.test('v1.2.3-rc.1'), true);
      assert.equal(filter.regexp.test('1.3.0-rc.1'), false);
      assert.deepEqual(spec.layerSelector, { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' });
      assert.equal(spec.interval.milliseconds, 5_400_000);
      assert.equal(spec.timeout.milliseconds, 1_500);
      const { verify } = spec;
      assert.ok(verify?.provider === 'cosign' && verify.keyless);
      const [identity] = verify.matchOIDCIdentity;
      assert.ok(identity);
      assert.equal(identity.issuer.regexp.test('https://token.actions.githubusercontent.com'), true);
      assert.equal(identity.subject.text, '^https://github\\.com/org/');
      assert.deepEqual(verify.trustedRootSecretRef, { name: 'root' });
      assert.equal(verify.attestations.length, 2);
      assert.equal(parsed.metadata.deletionTimestamp, '2030-01-01T00:00:00Z');
      assert.deepEqual(parsed.metadata.finalizers, ['source.k8sstormcenter.io/finalizer']);
    });

    it('layerSelector without operation defaults to extract; notation and policy keep their secretRef', () => {
      assert.deepEqual(parse(object({ url: URL, interval: '1s', layerSelector: { mediaType: 'a/b' } })).spec.layerSelector,
        { mediaType: 'a/b', operation: 'extract' });
      assert.deepEqual(parse(object({ url: URL, interval: '1m', verify: { provider: 'notation', secretRef: { name: 'np' } } })).spec.verify,
        { provider: 'notation', secretRef: { name: 'np' } });
      assert.deepEqual(parse(object({ url: URL, interval: '1m', verify: { provider: 'policy', secretRef: { name: 'pp' } } })).spec.verify,
        { provider: 'policy', secretRef: { name: 'pp' } });
    });

    it('absent apiVersion and kind are taken as this API\'s; null optional fields are absent', () => {
      const parsed = parse({ metadata: { name: 'a', namespace: 'b' }, spec: { url: URL, interval: '5m', ref: null, ignore: null } });
      assert.equal(parsed.apiVersion, API_VERSION);
      assert.equal(parsed.kind, 'OCIRepository');
      assert.equal(parsed.spec.ref, undefined);
    });

    it('reads a status written by the controller', () => {
      const status = {
        observedGeneration: 3,
        url: 'http://bob.bob-system.svc/ocirepository/default/honey/latest.tar.gz',
        lastHandledReconcileAt: '2030-01-01T00:00:00Z',
        observedIgnore: '*.md',
        observedLayerSelector: { mediaType: 'a/b', operation: 'copy' },
        artifact: {
          revision: `stable@sha256:${'b'.repeat(64)}`, digest: `sha256:${'c'.repeat(64)}`,
          path: 'ocirepository/default/honey/x.tar.gz', url: 'http://bob/x.tar.gz', size: 10,
          lastUpdateTime: '2030-01-01T00:00:00Z', metadata: { 'org.opencontainers.image.revision': 'abc' },
        },
        conditions: [
          { type: 'Ready', status: 'True', reason: 'Succeeded', message: 'ok', lastTransitionTime: '2030-01-01T00:00:00Z', observedGeneration: 3 },
        ],
      };
      const { object: parsed, warnings } = parseOCIRepository(object({ url: URL, interval: '5m' }, { status }));
      assert.deepEqual(warnings, []);
      assert.deepEqual(parsed.status, status);
    });

    it('drops malformed status parts with a warning instead of refusing the object', () => {
      const { object: parsed, warnings } = parseOCIRepository(object({ url: URL, interval: '5m' }, {
        status: {
          observedGeneration: 'x',
          artifact: { revision: 'r', path: 'p', url: 'u', lastUpdateTime: 't', digest: 'not a digest' },
          conditions: [
            { type: 'Ready', status: 'Maybe', reason: 'R', message: '', lastTransitionTime: 't' },
            { type: 'FetchFailed', status: 'True', reason: 'AuthenticationFailed', message: 'm', lastTransitionTime: 't' },
            { type: 'FetchFailed', status: 'False', reason: 'X', message: 'm', lastTransitionTime: 't' },
          ],
          observedLayerSelector: { operation: 'move' },
        },
      }));
      assert.equal(parsed.status.observedGeneration, -1);
      assert.equal(parsed.status.artifact, undefined);
      assert.deepEqual(parsed.status.conditions.map((c) => c.type), ['FetchFailed']);
      assert.equal(parsed.status.observedLayerSelector, undefined);
      assert.deepEqual(warnings, [
        'status.observedGeneration: must be an integer, not string (ignored)',
        'status.conditions[0].status: must be True, False or Unknown (ignored)',
        'status.conditions[2]: duplicate condition type FetchFailed (ignored)',
        'status.artifact.digest: must be <algorithm>:<encoded> (ignored)',
        'status.observedLayerSelector.operation: must be extract or copy (ignored)',
      ]);
    });
  });

  describe('refuses bad fields with their exact path', () => {
    const cases: { name: string; spec: Json; fields: FieldError[] }[] = [
      { name: 'missing url and interval', spec: {}, fields: [
        { path: 'spec.url', message: 'is required' }, { path: 'spec.interval', message: 'is required' }] },
      { name: 'url not oci://', spec: { url: 'https://x', interval: '5m' }, fields: [
        { path: 'spec.url', message: 'must start with oci:// (oci://<host>[:port]/<repository>)' }] },
      { name: 'url with credentials', spec: { url: 'oci://user:secret@r.io/a', interval: '5m' }, fields: [
        { path: 'spec.url', message: 'must not contain credentials (user:password@); use spec.secretRef' }] },
      { name: 'url with a tag (Flux: "remove \':<tag>\'")', spec: { url: 'oci://r.io/a/b:v1.0', interval: '5m' }, fields: [
        { path: 'spec.url', message: "must not contain a tag; remove ':v1.0' and use spec.ref.tag" }] },
      { name: 'url with a port and a tag', spec: { url: 'oci://r.io:5000/a:latest', interval: '5m' }, fields: [
        { path: 'spec.url', message: "must not contain a tag; remove ':latest' and use spec.ref.tag" }] },
      { name: 'url with a non-tag after the colon', spec: { url: 'oci://r.io/a:-x y', interval: '5m' }, fields: [
        { path: 'spec.url', message: 'must not contain a tag; remove it and use spec.ref.tag' }] },
      { name: 'url with a digest', spec: { url: `oci://r.io/a@sha256:${'a'.repeat(64)}`, interval: '5m' }, fields: [
        { path: 'spec.url', message: 'must not contain a digest; use spec.ref.digest' }] },
      { name: 'url with tag and digest', spec: { url: `oci://r.io/a:v1@sha256:${'a'.repeat(64)}`, interval: '5m' }, fields: [
        { path: 'spec.url', message: 'must not contain a digest; use spec.ref.digest' }] },
      { name: 'url without repository', spec: { url: 'oci://r.io/', interval: '5m' }, fields: [
        { path: 'spec.url', message: 'must name a repository: oci://<host>[:port]/<repository>' }] },
      { name: 'url with uppercase repository', spec: { url: 'oci://r.io/Team/app', interval: '5m' }, fields: [
        { path: 'spec.url', message: "must be oci://<host>[:port]/<repository>, the repository made of lowercase components [a-z0-9] joined by '.', '_', '__' or '-', separated by '/'" }] },
      { name: 'url with a query', spec: { url: 'oci://r.io/a?x=1', interval: '5m' }, fields: [
        { path: 'spec.url', message: "must be oci://<host>[:port]/<repository>, the repository made of lowercase components [a-z0-9] joined by '.', '_', '__' or '-', separated by '/'" }] },
      { name: 'url without a registry host', spec: { url: 'oci://library/alpine', interval: '5m' }, fields: [
        { path: 'spec.url', message: "must start with a registry host (with a '.' or a port, or localhost); Docker Hub is oci://docker.io/<repository>" }] },
      { name: 'url too long', spec: { url: `oci://r.io/${'a'.repeat(251)}`, interval: '5m' }, fields: [
        { path: 'spec.url', message: 'must be at most 261 characters long' }] },
      { name: 'url of the wrong type', spec: { url: 5, interval: '5m' }, fields: [
        { path: 'spec.url', message: 'must be a string, not number' }] },
      { name: 'interval 0s', spec: { url: URL, interval: '0s' }, fields: [{ path: 'spec.interval', message: 'must be between 1s and 8760h' }] },
      { name: 'interval 500ms', spec: { url: URL, interval: '500ms' }, fields: [{ path: 'spec.interval', message: 'must be between 1s and 8760h' }] },
      { name: 'interval 1000000h', spec: { url: URL, interval: '1000000h' }, fields: [{ path: 'spec.interval', message: 'must be between 1s and 8760h' }] },
      { name: 'interval overflowing Go', spec: { url: URL, interval: '99999999999h' }, fields: [{ path: 'spec.interval', message: 'must be between 1s and 8760h' }] },
      { name: 'interval -1s', spec: { url: URL, interval: '-1s' }, fields: [
        { path: 'spec.interval', message: 'must be a duration such as 30s, 5m or 1h30m (units ms, s, m, h)' }] },
      { name: 'interval 1ns', spec: { url: URL, interval: '1ns' }, fields: [
        { path: 'spec.interval', message: 'must be a duration such as 30s, 5m or 1h30m (units ms, s, m, h)' }] },
      { name: 'interval 1.5.h', spec: { url: URL, interval: '1.5.h' }, fields: [
        { path: 'spec.interval', message: 'must be a duration such as 30s, 5m or 1h30m (units ms, s, m, h)' }] },
      { name: 'timeout in hours', spec: { url: URL, interval: '5m', timeout: '1h' }, fields: [
        { path: 'spec.timeout', message: 'must be a duration such as 30s, 90s or 5m (units ms, s, m)' }] },
      { name: 'timeout 11m', spec: { url: URL, interval: '5m', timeout: '11m' }, fields: [
        { path: 'spec.timeout', message: 'must be between 1s and 10m' }] },
      { name: 'unknown spec field', spec: { url: URL, interval: '5m', tag: 'v1' }, fields: [{ path: 'spec.tag', message: 'unknown field' }] },
      { name: 'bad ref fields', spec: { url: URL, interval: '5m', ref: { digest: 'sha256:abc', tag: '-x', semverFilter: 'a(?=b)', branch: 'main' } }, fields: [
        { path: 'spec.ref.branch', message: 'unknown field' },
        { path: 'spec.ref.digest', message: 'must be sha256:<64 lowercase hex> or sha512:<128 lowercase hex>' },
        { path: 'spec.ref.semverFilter', message: 'semverFilter applies only with semver; set spec.ref.semver or remove semverFilter' },
        { path: 'spec.ref.semverFilter', message: 'must be a Go RE2 regular expression: lookaround assertions are not supported (RE2)' },
        { path: 'spec.ref.tag', message: 'must be a tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}' }] },
      { name: 'uppercase digest', spec: { url: URL, interval: '5m', ref: { digest: `sha256:${'A'.repeat(64)}` } }, fields: [
        { path: 'spec.ref.digest', message: 'must be sha256:<64 lowercase hex> or sha512:<128 lowercase hex>' }] },
      { name: 'bad semver', spec: { url: URL, interval: '5m', ref: { semver: 'latest' } }, fields: [
        { path: 'spec.ref.semver', message: 'must be a valid semver range (e.g. ">=1.0.0 <2.0.0", "^1.2", "1.x")' }] },
      { name: 'semver with !=', spec: { url: URL, interval: '5m', ref: { semver: '>=1.0.0, !=1.2.0' } }, fields: [
        { path: 'spec.ref.semver', message: "'!=' is not supported; express the range with < and > instead" }] },
      { name: 'semver filter with a backreference', spec: { url: URL, interval: '5m', ref: { semver: '*', semverFilter: '(a)\\1' } }, fields: [
        { path: 'spec.ref.semverFilter', message: 'must be a Go RE2 regular expression: backreferences and octal escapes are not supported (RE2)' }] },
      { name: 'layer selector', spec: { url: URL, interval: '5m', layerSelector: { mediaType: 'tarball', operation: 'move' } }, fields: [
        { path: 'spec.layerSelector.mediaType', message: 'must be a media type type/subtype (RFC 6838), without parameters' },
        { path: 'spec.layerSelector.operation', message: 'must be one of extract, copy' }] },
      { name: 'provider', spec: { url: URL, interval: '5m', provider: 'ibm' }, fields: [
        { path: 'spec.provider', message: 'must be one of generic, aws, azure, gcp' }] },
      { name: 'secret references', spec: { url: URL, interval: '5m', secretRef: { name: 'Pull_Secret' }, certSecretRef: {}, proxySecretRef: { name: 'p', namespace: 'other' }, serviceAccountName: 'SA' }, fields: [
        { path: 'spec.secretRef.name', message: "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.'" },
        { path: 'spec.serviceAccountName', message: "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.'" },
        { path: 'spec.certSecretRef.name', message: 'is required' },
        { path: 'spec.proxySecretRef.namespace', message: 'unknown field' }] },
      { name: 'booleans and ignore of the wrong type', spec: { url: URL, interval: '5m', insecure: 'yes', suspend: 1, ignore: ['*.md'] }, fields: [
        { path: 'spec.insecure', message: 'must be a boolean, not string' },
        { path: 'spec.suspend', message: 'must be a boolean, not number' },
        { path: 'spec.ignore', message: 'must be a string, not array' }] },
      { name: 'cosign keyless without identities', spec: { url: URL, interval: '5m', verify: { provider: 'cosign' } }, fields: [
        { path: 'spec.verify.matchOIDCIdentity', message: 'cosign keyless verification (no secretRef) needs at least one matchOIDCIdentity entry; an empty list would accept any signer' }] },
      { name: 'cosign keyless with an empty identity list (defaulted provider)', spec: { url: URL, interval: '5m', verify: { matchOIDCIdentity: [] } }, fields: [
        { path: 'spec.verify.matchOIDCIdentity', message: 'cosign keyless verification (no secretRef) needs at least one matchOIDCIdentity entry; an empty list would accept any signer' }] },
      { name: 'identities with a key', spec: { url: URL, interval: '5m', verify: { secretRef: { name: 'k' }, matchOIDCIdentity: [{ issuer: 'a', subject: 'b' }] } }, fields: [
        { path: 'spec.verify.matchOIDCIdentity', message: 'matchOIDCIdentity applies only to cosign keyless verification (provider cosign without secretRef)' }] },
      { name: 'notation without secret, with cosign-only fields', spec: { url: URL, interval: '5m', verify: { provider: 'notation', matchOIDCIdentity: [{ issuer: 'a', subject: 'b' }], trustedRootSecretRef: { name: 'r' }, attestations: [] } }, fields: [
        { path: 'spec.verify.secretRef', message: 'notation verification needs secretRef: a Secret with trustpolicy.json and the CA certificates (*.crt, *.pem)' },
        { path: 'spec.verify.matchOIDCIdentity', message: 'matchOIDCIdentity applies only to cosign keyless verification (provider cosign without secretRef)' },
        { path: 'spec.verify.trustedRootSecretRef', message: 'trustedRootSecretRef applies only to provider cosign' },
        { path: 'spec.verify.attestations', message: 'attestations are verified only by provider cosign' }] },
      { name: 'policy without secret', spec: { url: URL, interval: '5m', verify: { provider: 'policy' } }, fields: [
        { path: 'spec.verify.secretRef', message: 'policy verification needs secretRef: a Secret with policy.json, optionally registries.d, and the key files its keyPaths name' }] },
      { name: 'unknown verify provider', spec: { url: URL, interval: '5m', verify: { provider: 'gpg', secretRef: { name: 'k' } } }, fields: [
        { path: 'spec.verify.provider', message: 'must be one of cosign, notation, policy' }] },
      { name: 'bad identity entries', spec: { url: URL, interval: '5m', verify: { matchOIDCIdentity: [{ issuer: '', subject: '(?<!x)y' }, { issuer: 'a' }, 'x'] } }, fields: [
        { path: 'spec.verify.matchOIDCIdentity[0].issuer', message: 'must not be empty' },
        { path: 'spec.verify.matchOIDCIdentity[0].subject', message: 'must be a Go RE2 regular expression: lookaround assertions are not supported (RE2)' },
        { path: 'spec.verify.matchOIDCIdentity[1].subject', message: 'is required' },
        { path: 'spec.verify.matchOIDCIdentity[2]', message: 'must be an object with issuer and subject' }] },
      { name: 'bad attestations', spec: { url: URL, interval: '5m', verify: { secretRef: { name: 'k' }, attestations: [{ predicateType: 'slsaprovenance' }, { predicateType: 'https://a/b' }, { predicateType: 'https://a/b' }, {}] } }, fields: [
        { path: 'spec.verify.attestations[0].predicateType', message: 'must be an absolute URI such as https://slsa.dev/provenance/v1' },
        { path: 'spec.verify.attestations[2].predicateType', message: 'duplicate predicateType' },
        { path: 'spec.verify.attestations[3].predicateType', message: 'is required' }] },
      { name: 'too many identities', spec: { url: URL, interval: '5m', verify: { matchOIDCIdentity: Array.from({ length: 33 }, () => ({ issuer: 'a', subject: 'b' })) } }, fields: [
        { path: 'spec.verify.matchOIDCIdentity', message: 'must have at most 32 entries' }] },
    ];
    for (const { name, spec, fields } of cases) {
      it(name, () => {
        assert.deepEqual(fieldsOf(object(spec)), fields);
      });
    }

    it('reports every bad field at once, in one message, with URLInvalid as the reason when the URL is bad', () => {
      try {
        parseOCIRepository(object({ url: 'oci://r.io/a:v1', interval: '0s', provider: 'ibm' }));
        assert.fail('accepted');
      } catch (error) {
        assert.ok(isSpecInvalidError(error));
        assert.equal(error.reason, REASON.urlInvalid);
        assert.equal(error.message, "invalid OCIRepository default/honey: spec.url: must not contain a tag; remove ':v1' and use spec.ref.tag; "
          + 'spec.provider: must be one of generic, aws, azure, gcp; spec.interval: must be between 1s and 8760h');
      }
    });

    it('SpecInvalid is the reason when the URL is fine', () => {
      try {
        parseOCIRepository(object({ url: URL, interval: '0s' }));
        assert.fail('accepted');
      } catch (error) {
        assert.ok(isSpecInvalidError(error));
        assert.equal(error.reason, REASON.specInvalid);
      }
    });

    it('never echoes credentials typed into the URL', () => {
      try {
        parseOCIRepository(object({ url: 'oci://user:hunter2@r.io/a:v1', interval: '5m' }));
        assert.fail('accepted');
      } catch (error) {
        assert.ok(isSpecInvalidError(error));
        assert.doesNotMatch(error.message, /hunter2/);
      }
    });

    it('refuses a wrong apiVersion, kind, metadata and a missing spec', () => {
      assert.deepEqual(fieldsOf({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'Bucket', metadata: { name: 'x', generation: 1.5, annotations: { a: 1 } } }), [
        { path: 'apiVersion', message: `must be ${API_VERSION}` },
        { path: 'kind', message: 'must be OCIRepository' },
        { path: 'metadata.namespace', message: 'is required' },
        { path: 'metadata.generation', message: 'must be an integer, not number' },
        { path: 'metadata.annotations["a"]', message: 'must be a string, not number' },
        { path: 'spec', message: 'is required' },
      ]);
      assert.deepEqual(fieldsOf('x'), [{ path: '(root)', message: 'must be an object' }]);
      assert.deepEqual(fieldsOf({ metadata: { name: 'a', namespace: 'b' }, spec: [] }), [{ path: 'spec', message: 'must be an object, not array' }]);
    });
  });
});
