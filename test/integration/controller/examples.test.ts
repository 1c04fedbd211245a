// Every examples/*.yaml applied to the real kube-apiserver (the real CRD's
// schema and CEL rules, strict field validation) and reconciled against real
// registries with real signatures: the placeholder host registry.example.com
// becomes a test registry, placeholder trust material in the examples'
// Secrets becomes keys and certificates made here, signed with the real
// cosign, notation and skopeo-compatible tooling; nothing else of an example
// changes except spec.insecure for the plain-HTTP test registries.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseAllDocuments, stringify } from 'yaml';
import { registry, scratchDir } from '../../env/environment.ts';
import { pushTestImage, tarOf, type PushedImage } from '../../env/fixtures.ts';
import { isolatedEnv, orasFlags } from '../../env/peers.ts';
import type { Registry } from '../../env/registries.ts';
import { run } from '../../env/run.ts';
import { toolPath } from '../../env/tools.ts';
import {
  basicConstraints, buildCertificate, extKeyUsage, issuerExtensions, keyUsage, OID, subjectAltName, toPem, type Extension,
} from '../../fixtures/sigstore/certificates.ts';
import { octetString } from '../../fixtures/sigstore/der.ts';
import { createTestPki, type TestPki } from '../../fixtures/sigstore/pki.ts';
import { kubeFixture, repoRoot, type KubeFixture } from '../kube/support.ts';
import { createKubeClients } from '../../../src/kube/index.ts';
import { ArtifactStore } from '../../../src/storage/index.ts';
import { createSystemClock } from '../../../src/shared/index.ts';
import {
  createReconcilerDependencies, createRegistryClientCache, reconcile, type RawObject, type ReconcilerDependencies,
} from '../../../src/controller/index.ts';

const PLACEHOLDER_HOST = 'registry.example.com';
const EXAMPLES_DIR = join(repoRoot, 'examples');
const PASSWORD = 'examples-test';
const HELM_CHART = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';
const SCT_EXTENSION = '1.3.6.1.4.1.11129.2.4.2';
const UNSIGNED_MESSAGE = "failed to verify the signature using provider 'cosign': no matching signatures were found";

type Doc = Record<string, unknown> & { kind: string; metadata: { name: string; namespace?: string } };
interface Condition { type: string; status: string; reason: string; message: string; observedGeneration?: number }
interface Artifact { revision: string; digest: string; path: string; url: string; size?: number }
interface Status { conditions?: Condition[]; artifact?: Artifact; observedGeneration?: number }

/** What an example's reconcile must produce. */
interface Expected {
  readonly revision: string;
  /** SourceVerified True expected (spec.verify set). */
  readonly verified: boolean;
  /** layerSelector copy: the stored file is this blob, unmodified. */
  readonly copiedBlob?: Buffer;
}

interface Prepared {
  readonly docs: Doc[];
  readonly expected: Expected;
}

function statusOf(object: RawObject): Status {
  const status = object['status'];
  return typeof status === 'object' && status !== null ? status : {};
}

function conditionOf(object: RawObject, type: string): Condition | undefined {
  return statusOf(object).conditions?.find((c) => c.type === type);
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** An example's documents, with the placeholder host replaced by `host` (everywhere: URL, policies, registries.d). */
function loadExample(file: string, host: string, extra: readonly (readonly [string, string])[] = []): Doc[] {
  let text = readFileSync(join(EXAMPLES_DIR, file), 'utf8');
  assert.ok(text.includes(PLACEHOLDER_HOST), `${file} uses the placeholder host ${PLACEHOLDER_HOST}`);
  text = text.replaceAll(PLACEHOLDER_HOST, host);
  for (const [from, to] of extra) {
    assert.ok(text.includes(from), `${file} contains ${from}`);
    text = text.replaceAll(from, to);
  }
  return parseAllDocuments(text).map((doc) => {
    assert.deepEqual(doc.errors, [], `${file} parses`);
    return doc.toJS() as Doc;
  });
}

function only(docs: readonly Doc[], kind: string, name?: string): Doc {
  const found = docs.filter((d) => d.kind === kind && (name === undefined || d.metadata.name === name));
  assert.equal(found.length, 1, `exactly one ${kind}${name === undefined ? '' : ` ${name}`}`);
  const [doc] = found;
  assert.ok(doc !== undefined);
  return doc;
}

function specOf(doc: Doc): Record<string, unknown> {
  const spec = doc['spec'];
  assert.ok(typeof spec === 'object' && spec !== null);
  return spec as Record<string, unknown>;
}

/** Replaces an entry the example's Secret already has (its key name is part of what the example teaches). */
function setSecretEntry(docs: readonly Doc[], secret: string, key: string, value: string): void {
  const data = only(docs, 'Secret', secret)['stringData'] as Record<string, string> | undefined;
  assert.ok(data !== undefined && key in data, `Secret ${secret} of the example has the key ${key}`);
  data[key] = value;
}

function secretEntry(docs: readonly Doc[], secret: string, key: string): string {
  const value = (only(docs, 'Secret', secret)['stringData'] as Record<string, string> | undefined)?.[key];
  assert.ok(value !== undefined, `Secret ${secret} has the key ${key}`);
  return value;
}

// ---- keyless material: the test PKI plus a CT log (SCT) and a Rekor SET ----

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function u24(n: number): Buffer {
  return Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}

function u64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
}

/** The TBSCertificate, the first element of the Certificate SEQUENCE (DER as buildCertificate wrote it). */
function tbsOf(certificate: Buffer): Buffer {
  let offset = 1;
  const outer = certificate[offset++] ?? 0;
  if (outer & 0x80) offset += outer & 0x7f;
  const start = offset;
  offset++;
  const first = certificate[offset++] ?? 0;
  let length = first;
  if (first & 0x80) {
    length = 0;
    for (let i = 0; i < (first & 0x7f); i++) length = length * 256 + (certificate[offset++] ?? 0);
  }
  return certificate.subarray(start, offset + length);
}

interface KeylessLeaf { readonly pem: string; readonly privateKey: KeyObject }

/**
 * A Fulcio-style leaf with an embedded SCT (RFC 6962 §3.2: the CT log signs
 * the precertificate's TBS without the SCT extension, bound to the issuer's
 * key hash), as the public-good Fulcio issues them.
 */
function issueLeafWithSct(pki: TestPki, ctLog: { privateKey: KeyObject; publicKey: KeyObject }, uri: string, issuer: string): KeylessLeaf {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = Date.now();
  const base = {
    subject: '', issuer: 'bob test fulcio intermediate', serial: BigInt(`0x${randomBytes(8).toString('hex')}`),
    notBefore: new Date(Math.floor((now - 60_000) / 1000) * 1000), notAfter: new Date(now + 10 * 60_000),
    publicKey: pair.publicKey, signingKey: pki.intermediate.privateKey,
  };
  const extensions: Extension[] = [
    basicConstraints(false), keyUsage(false), extKeyUsage(OID.codeSigning), subjectAltName([{ uri }], true), ...issuerExtensions(issuer),
  ];
  const tbs = tbsOf(buildCertificate({ ...base, extensions }));
  const timestamp = u64(BigInt(now));
  const issuerKeyHash = createHash('sha256').update(pki.intermediate.publicKey.export({ type: 'spki', format: 'der' })).digest();
  const signed = Buffer.concat([Buffer.from([0, 0]), timestamp, u16(1), issuerKeyHash, u24(tbs.length), tbs, u16(0)]);
  const signature = sign('sha256', signed, ctLog.privateKey);
  const logId = createHash('sha256').update(ctLog.publicKey.export({ type: 'spki', format: 'der' })).digest();
  // SignedCertificateTimestamp v1: sha256(4) + ecdsa(3).
  const sct = Buffer.concat([Buffer.from([0]), logId, timestamp, u16(0), Buffer.from([4, 3]), u16(signature.length), signature]);
  const list = Buffer.concat([u16(sct.length + 2), u16(sct.length), sct]);
  const der = buildCertificate({ ...base, extensions: [...extensions, { oid: SCT_EXTENSION, value: octetString(list) }] });
  return { pem: toPem(der), privateKey: pair.privateKey };
}

describe('examples/*.yaml applied and reconciled (real kube-apiserver, registries and signing CLIs)', function () {
  this.timeout(240_000);
  let fixture: KubeFixture;
  let deps: ReconcilerDependencies;
  let storageRoot: string;
  let home: string;
  let plain: Registry;
  let env: NodeJS.ProcessEnv;
  const signal = (): AbortSignal => AbortSignal.timeout(90_000);

  const cosign = async (tool: 'cosign2' | 'cosign3', args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<string> =>
    (await run(toolPath(tool), args, { env: { ...env, ...extraEnv }, cwd: home })).stdout;

  const mustGet = async (name: string): Promise<RawObject> => {
    const object = await deps.objects.get(fixture.namespace, name, signal());
    assert.ok(object !== undefined, `${name} exists`);
    return object;
  };

  /** kubectl apply with strict field validation: the API server checks the real CRD schema and CEL rules. */
  const apply = async (docs: readonly Doc[], insecure: boolean): Promise<void> => {
    for (const doc of docs) {
      doc.metadata.namespace = fixture.namespace;
      if (doc.kind === 'OCIRepository' && insecure) specOf(doc)['insecure'] = true;
    }
    await fixture.kubectlInput(docs.map((d) => stringify(d)).join('---\n'), 'apply', '--validate=strict', '-f', '-');
  };

  const eventsOf = async (uid: string): Promise<{ type: string; reason: string; note: string }[]> => {
    const out = await fixture.kubectl('get', 'events.events.k8s.io', '-n', fixture.namespace, '-o', 'json');
    const list = JSON.parse(out) as { items: { type: string; reason: string; note: string; regarding: { uid: string } }[] };
    return list.items.filter((e) => e.regarding.uid === uid).map(({ type, reason, note }) => ({ type, reason, note }));
  };

  /** Applies the documents, reconciles the OCIRepository once, and checks status, the stored file and the events. */
  const applyAndReconcile = async ({ docs, expected }: Prepared, insecure: boolean): Promise<RawObject> => {
    const repository = only(docs, 'OCIRepository');
    const { name } = repository.metadata;
    await apply(docs, insecure);
    const result = await reconcile(`${fixture.namespace}/${name}`, deps, signal());
    const object = await mustGet(name);
    assert.equal(result.kind, 'success', JSON.stringify(statusOf(object).conditions));
    const status = statusOf(object);
    assert.equal(status.observedGeneration, object.metadata.generation);
    const ready = conditionOf(object, 'Ready');
    assert.deepEqual([ready?.status, ready?.reason, ready?.message], ['True', 'Succeeded', `stored artifact for digest '${expected.revision}'`]);
    assert.equal(conditionOf(object, 'ArtifactInStorage')?.status, 'True');
    // Every condition the reconcile set carries the generation it observed, as Flux's do.
    for (const condition of statusOf(object).conditions ?? []) assert.equal(condition.observedGeneration, object.metadata.generation, condition.type);
    const verified = conditionOf(object, 'SourceVerified');
    if (expected.verified) {
      assert.deepEqual([verified?.status, verified?.reason, verified?.message], ['True', 'Succeeded', `verified signature of revision ${expected.revision}`]);
    } else {
      assert.equal(verified, undefined);
    }
    const artifact = status.artifact;
    assert.ok(artifact !== undefined);
    assert.equal(artifact.revision, expected.revision);
    assert.match(artifact.path, new RegExp(`^ocirepository/${fixture.namespace}/${name}/[0-9a-f]{64}\\.(?:tar\\.gz|tgz)$`));
    const file = readFileSync(join(storageRoot, artifact.path));
    assert.equal(sha256(file), artifact.digest);
    assert.equal(file.length, artifact.size);
    if (expected.copiedBlob !== undefined) {
      assert.equal(artifact.digest, sha256(expected.copiedBlob), 'copy stores the layer blob: same digest');
      assert.ok(file.equals(expected.copiedBlob), 'copy stores the layer blob byte for byte');
    }
    const events = await eventsOf(object.metadata.uid ?? '');
    const url = specOf(repository)['url'];
    assert.ok(typeof url === 'string');
    assert.ok(
      events.some((e) => e.type === 'Normal' && e.reason === 'NewArtifact' && e.note === `stored artifact with revision '${expected.revision}' from '${url}'`),
      JSON.stringify(events),
    );
    return object;
  };

  /** The example's docs and expectations once its fixtures exist on `reg`. */
  interface ExampleCase { readonly registry: () => Promise<Registry>; prepare(reg: Registry): Promise<Prepared> }

  const push = async (reg: Registry, repository: string, tag: string): Promise<PushedImage> =>
    pushTestImage(reg, scratchDir('examples-image'), repository, tag, `${repository}:${tag} ${randomBytes(4).toString('hex')}\n`);

  const cosignKeyPair = async (prefix: string): Promise<string> => {
    await cosign('cosign2', ['generate-key-pair', '--output-key-prefix', prefix]);
    return readFileSync(join(home, `${prefix}.pub`), 'utf8');
  };

  const CASES: Record<string, ExampleCase> = {
    'ocirepository-tag.yaml': {
      registry: () => Promise.resolve(plain),
      async prepare(reg) {
        const publicKey = await cosignKeyPair('tag');
        const image = await push(reg, 'team/manifests/honey', 'stable');
        await cosign('cosign2', ['sign', '--key', 'tag.key', '--tlog-upload=false', '--allow-http-registry', '--yes', image.pinned]);
        writeFileSync(join(home, 'provenance.json'), JSON.stringify({
          buildDefinition: { buildType: 'https://example.com/build/v1', externalParameters: {} }, runDetails: { builder: { id: 'https://example.com/ci' } },
        }));
        await cosign('cosign2', ['attest', '--key', 'tag.key', '--tlog-upload=false', '--allow-http-registry', '--yes', '--type', 'slsaprovenance1',
          '--predicate', 'provenance.json', image.pinned]);
        const docs = loadExample('ocirepository-tag.yaml', reg.host);
        setSecretEntry(docs, 'cosign-pub', 'cosign.pub', publicKey);
        return { docs, expected: { revision: `stable@${image.digest}`, verified: true } };
      },
    },

    'ocirepository-keyless-semver.yaml': {
      registry: () => Promise.resolve(plain),
      async prepare(reg) {
        const repository = 'k8sstormcenter/manifests/honey';
        const images = new Map<string, PushedImage>();
        // Only 1.0.0-rc.2 is both in range and matched by the filter, and highest.
        for (const tag of ['1.0.0-rc.1', '1.0.0-rc.2', '1.0.0', '1.1.0-beta.1', '2.0.0-rc.1', 'latest']) images.set(tag, await push(reg, repository, tag));
        const chosen = images.get('1.0.0-rc.2');
        assert.ok(chosen !== undefined);
        const pki = createTestPki();
        const ctLog = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        const start = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
        writeFileSync(join(home, 'fulcio-chain.pem'), pki.chainPem);
        writeFileSync(join(home, 'rekor.pub'), pki.rekor.publicKey.export({ type: 'spki', format: 'pem' }));
        writeFileSync(join(home, 'ctfe.pub'), ctLog.publicKey.export({ type: 'spki', format: 'pem' }));
        // The trusted root made the way the example says: cosign trusted-root create.
        await cosign('cosign3', ['trusted-root', 'create',
          '--fulcio', `url=https://fulcio.bob.test,certificate-chain=fulcio-chain.pem,start-time=${start}`,
          '--rekor', `url=https://rekor.bob.test,public-key=rekor.pub,start-time=${start}`,
          '--ctfe', `url=https://ctfe.bob.test,public-key=ctfe.pub,start-time=${start}`,
          '--out', 'trusted_root.json']);
        const issuer = 'https://token.actions.githubusercontent.com';
        const subject = 'https://github.com/k8sstormcenter/honey/.github/workflows/release.yml@refs/tags/v1.0.0-rc.2';
        const leaf = issueLeafWithSct(pki, ctLog, subject, issuer);
        writeFileSync(join(home, 'leaf.pem'), leaf.pem);
        // What `cosign sign` does against Fulcio and Rekor, offline: cosign's own payload, signed by the
        // certificate's key, the Rekor entry's SET from the test log, attached by cosign.
        const payload = Buffer.from(await cosign('cosign2', ['generate', '--allow-http-registry', chosen.pinned]));
        const signature = sign('sha256', payload, leaf.privateKey);
        writeFileSync(join(home, 'payload.json'), payload);
        writeFileSync(join(home, 'payload.sig'), signature.toString('base64'));
        // cosign's LocalSignedPayload file (what `cosign sign --output-*` / `verify-blob --bundle` use), holding the Rekor bundle.
        const rekorBundle = JSON.parse(pki.setAnnotation({ signature, payload, verifierPem: leaf.pem, integratedTime: new Date() })) as unknown;
        writeFileSync(join(home, 'rekor-bundle.json'), JSON.stringify({ base64Signature: signature.toString('base64'), cert: leaf.pem, rekorBundle }));
        await cosign('cosign2', ['attach', 'signature', '--payload', 'payload.json', '--signature', 'payload.sig', '--certificate', 'leaf.pem',
          '--certificate-chain', 'fulcio-chain.pem', '--rekor-response', 'rekor-bundle.json', '--allow-http-registry', chosen.pinned]);
        // cosign itself accepts it under the same trusted root and identity, checking SCT and SET.
        const docs = loadExample('ocirepository-keyless-semver.yaml', reg.host);
        const identity = (specOf(only(docs, 'OCIRepository'))['verify'] as { matchOIDCIdentity: { issuer: string; subject: string }[] }).matchOIDCIdentity[0];
        assert.ok(identity !== undefined);
        const accepted = await run(toolPath('cosign3'), ['verify', '--trusted-root', 'trusted_root.json', '--certificate-identity-regexp', identity.subject,
          '--certificate-oidc-issuer-regexp', identity.issuer, '--allow-http-registry', chosen.pinned], { env, cwd: home, allowFailure: true });
        assert.equal(accepted.code, 0, `cosign verify: ${accepted.stderr}`);
        setSecretEntry(docs, 'sigstore-trusted-root', 'trusted_root.json', readFileSync(join(home, 'trusted_root.json'), 'utf8'));
        return { docs, expected: { revision: `1.0.0-rc.2@${chosen.digest}`, verified: true } };
      },
    },

    'ocirepository-notation-digest.yaml': {
      // TLS with the environment's CA (certSecretRef), and the OCI 1.1 referrers API notation signs into.
      registry: async () => registry({ kind: 'olareg', tls: true }),
      async prepare(reg) {
        assert.ok(reg.caFile !== undefined);
        const notationHome = scratchDir('examples-notation');
        const notationEnv = isolatedEnv(notationHome, { SSL_CERT_FILE: reg.caFile });
        const notation = async (...args: string[]) => run(toolPath('notation'), args, { env: notationEnv, cwd: notationHome });
        await notation('cert', 'generate-test', '--default', 'release.acme.example');
        const image = await push(reg, 'platform/honey', 'build');
        await notation('sign', '--force-referrers-tag=false', image.pinned);
        const example = readFileSync(join(EXAMPLES_DIR, 'ocirepository-notation-digest.yaml'), 'utf8');
        const pinned = /digest: (sha256:[0-9a-f]{64})/.exec(example)?.[1];
        assert.ok(pinned !== undefined);
        // `notation cert generate-test` certificates always say O=Notary.
        const docs = loadExample('ocirepository-notation-digest.yaml', reg.host, [[pinned, image.digest], ['O=Acme Rockets', 'O=Notary']]);
        setSecretEntry(docs, 'registry-ca', 'ca.crt', readFileSync(reg.caFile, 'utf8'));
        const signingCert = join(notationHome, '.config', 'notation', 'truststore', 'x509', 'ca', 'release.acme.example', 'release.acme.example.crt');
        setSecretEntry(docs, 'notation-trust', 'ca.crt', readFileSync(signingCert, 'utf8'));
        return { docs, expected: { revision: image.digest, verified: true } };
      },
    },

    'ocirepository-policy-helm.yaml': {
      registry: () => Promise.resolve(plain),
      async prepare(reg) {
        const publicKey = await cosignKeyPair('charts');
        const chartDir = scratchDir('examples-chart');
        const chart = gzipSync(tarOf('honey/Chart.yaml', 'apiVersion: v2\nname: honey\nversion: 0.11.6\n'));
        writeFileSync(join(chartDir, 'honey-0.11.6.tgz'), chart);
        writeFileSync(join(chartDir, 'config.json'), JSON.stringify({ apiVersion: 'v2', name: 'honey', version: '0.11.6' }));
        const ref = `${reg.host}/charts/honey:0.11.6`;
        const orasEnv = isolatedEnv(chartDir);
        // The layout `helm push` writes: Helm config, one chart layer.
        await run(toolPath('oras'), ['push', ...orasFlags(reg), ref, '--config', 'config.json:application/vnd.cncf.helm.config.v1+json',
          `honey-0.11.6.tgz:${HELM_CHART}`], { env: orasEnv, cwd: chartDir });
        const digest = (await run(toolPath('oras'), ['resolve', ...orasFlags(reg), ref], { env: orasEnv, cwd: chartDir })).stdout.trim();
        await cosign('cosign2', ['sign', '--key', 'charts.key', '--tlog-upload=false', '--allow-http-registry', '--yes', `${reg.host}/charts/honey@${digest}`]);
        const docs = loadExample('ocirepository-policy-helm.yaml', reg.host);
        setSecretEntry(docs, 'chart-policy', 'charts.pub', publicKey);
        // The policy names the key by an absolute path; bob reads the Secret entry of its last segment.
        assert.match(secretEntry(docs, 'chart-policy', 'policy.json'), /"keyPath": "\/etc\/containers\/keys\/charts\.pub"/);
        return { docs, expected: { revision: `0.11.6@${digest}`, verified: true, copiedBlob: chart } };
      },
    },

    'ocirepository-private-registry.yaml': {
      registry: async () => registry({ kind: 'distribution', auth: 'basic' }),
      async prepare(reg) {
        assert.ok(reg.username !== undefined && reg.password !== undefined);
        const image = await push(reg, 'internal/manifests/honey', '1.4.2');
        const docs = loadExample('ocirepository-private-registry.yaml', reg.host);
        const config = JSON.parse(secretEntry(docs, 'registry-credentials', '.dockerconfigjson')) as { auths: Record<string, { username: string; password: string }> };
        const entry = config.auths[reg.host];
        assert.ok(entry !== undefined, 'the credentials are for the host of spec.url');
        entry.username = reg.username;
        entry.password = reg.password;
        setSecretEntry(docs, 'registry-credentials', '.dockerconfigjson', JSON.stringify(config));
        return { docs, expected: { revision: `1.4.2@${image.digest}`, verified: false } };
      },
    },
  };

  before(async () => {
    fixture = await kubeFixture('examples');
    plain = await registry({ kind: 'distribution' });
    home = scratchDir('examples');
    storageRoot = join(home, 'storage');
    const workDir = join(home, 'work');
    mkdirSync(workDir, { recursive: true });
    env = isolatedEnv(home, { COSIGN_PASSWORD: PASSWORD, SIGSTORE_NO_CACHE: '1', TUF_ROOT: join(home, 'tuf') });
    const clock = createSystemClock();
    deps = createReconcilerDependencies({
      kube: createKubeClients({ kubeconfigPath: fixture.cluster.kubeconfig }), reportingInstance: 'examples-test', clock, workDir,
      store: new ArtifactStore({ root: storageRoot, baseUrl: 'http://storage.test', clock }),
      registries: createRegistryClientCache({ base: { clock } }),
    });
  });

  it('has a case for every examples/*.yaml', () => {
    const files = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort();
    assert.deepEqual(files, Object.keys(CASES).sort(), 'every example file needs a case in this test, and every case an example');
  });

  for (const [file, example] of Object.entries(CASES)) {
    it(`${file}: applies, reconciles to Ready, stores and verifies the artifact, records NewArtifact`, async () => {
      const reg = await example.registry();
      await applyAndReconcile(await example.prepare(reg), !reg.tls);
    });
  }

  it('ocirepository-tag.yaml pointed at an unsigned tag: VerificationError with cosign\'s message, nothing stored', async () => {
    await push(plain, 'team/manifests/honey', 'unsigned');
    const docs = loadExample('ocirepository-tag.yaml', plain.host);
    setSecretEntry(docs, 'cosign-pub', 'cosign.pub', await cosignKeyPair('unsigned'));
    const repository = only(docs, 'OCIRepository');
    repository.metadata.name = 'honey-unsigned';
    (specOf(repository)['ref'] as { tag: string }).tag = 'unsigned';
    await apply(docs, true);
    const result = await reconcile(`${fixture.namespace}/honey-unsigned`, deps, signal());
    assert.equal(result.kind, 'retry');
    const object = await mustGet('honey-unsigned');
    for (const type of ['Ready', 'SourceVerified']) {
      const condition = conditionOf(object, type);
      assert.deepEqual([condition?.status, condition?.reason, condition?.message], ['False', 'VerificationError', UNSIGNED_MESSAGE], type);
    }
    assert.equal(statusOf(object).artifact, undefined);
    assert.equal(existsSync(join(storageRoot, 'ocirepository', fixture.namespace, 'honey-unsigned')), false);
    const events = await eventsOf(object.metadata.uid ?? '');
    assert.ok(events.some((e) => e.type === 'Warning' && e.reason === 'VerificationError' && e.note === UNSIGNED_MESSAGE), JSON.stringify(events));
    assert.ok(!events.some((e) => e.reason === 'NewArtifact'));
  });
});
