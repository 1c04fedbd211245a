// Table tests of the controller's pure parts: merge patches, the summary,
// outcome events, semver selection, and the Secret-reading steps with
// in-memory Secrets (messages name keys and Secrets, never values).
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { parseOCIRepository, type OCIRepository, type OCIRepositoryStatus } from '../../../src/api/index.ts';
import {
  StepFailure, createRegistryClientCache, isSameJson, selectSemverTag, summarizeReconcile, toMergePatch, toOutcomeEvents, toQueueResult,
  type RegistryAccess,
} from '../../../src/controller/index.ts';
import { readRegistryAccess } from '../../../src/controller/read-registry-access.ts';
import { readVerificationMaterial } from '../../../src/controller/verification-material.ts';
import { toStatus, toStatusDraft } from '../../../src/controller/status-draft.ts';
import { MemorySecrets, NAMESPACE, repository } from './helpers.ts';
import { RegistryClient } from '../../../src/oci/index.ts';
import { DEFAULT_VERIFY_LIMITS } from '../../../src/verify/index.ts';
import { isBobError } from '../../../src/shared/index.ts';

const NOW = new Date('2026-03-01T10:00:00Z');
const signal = AbortSignal.timeout(10_000);

function parsed(spec: Record<string, unknown>, extra: Parameters<typeof repository>[2] = {}): OCIRepository {
  return parseOCIRepository(repository('app', { url: 'oci://registry.test/app', ...spec }, { metadata: { generation: 2 }, ...extra })).object;
}

async function failureOf(promise: Promise<unknown>): Promise<StepFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof StepFailure) return error;
    throw error;
  }
  assert.fail('expected a StepFailure');
}

describe('controller: merge patches', () => {
  const cases: { name: string; before: unknown; after: unknown; patch: unknown }[] = [
    { name: 'equal → nothing', before: { a: 1, b: [1, 2] }, after: { b: [1, 2], a: 1 }, patch: undefined },
    { name: 'removed member → null', before: { artifact: { digest: 'x' }, url: 'u' }, after: { url: 'u' }, patch: { artifact: null } },
    { name: 'nested change recurses', before: { artifact: { digest: 'x', metadata: { k: 'v' } } }, after: { artifact: { digest: 'y' } }, patch: { artifact: { digest: 'y', metadata: null } } },
    { name: 'arrays replaced whole', before: { conditions: [{ type: 'A' }] }, after: { conditions: [{ type: 'A' }, { type: 'B' }] }, patch: { conditions: [{ type: 'A' }, { type: 'B' }] } },
    { name: 'undefined is absent', before: { a: 1 }, after: { a: 1, b: undefined }, patch: undefined },
  ];
  for (const { name, before, after, patch } of cases) {
    it(name, () => {
      assert.deepEqual(toMergePatch(before, after), patch);
    });
  }
  it('compares JSON regardless of key order, not array order', () => {
    assert.equal(isSameJson({ a: { b: 1, c: 2 } }, { a: { c: 2, b: 1 } }), true);
    assert.equal(isSameJson([1, 2], [2, 1]), false);
  });
});

describe('controller: summarize', () => {
  const base = (status: Partial<OCIRepositoryStatus> = {}): ReturnType<typeof toStatusDraft> =>
    toStatusDraft({ observedGeneration: 1, conditions: [], ...status });

  it('success: Reconciling removed, observedGeneration advanced, Ready True from ArtifactInStorage', () => {
    const draft = base({ conditions: [
      { type: 'Reconciling', status: 'True', reason: 'Progressing', message: 'x', lastTransitionTime: '2026-01-01T00:00:00Z' },
      { type: 'ArtifactInStorage', status: 'True', reason: 'Succeeded', message: "stored artifact for digest 'v1@sha256:a'", lastTransitionTime: '2026-01-01T00:00:00Z' },
    ] });
    const result = summarizeReconcile(draft, parsed({}), { kind: 'success' }, NOW);
    assert.deepEqual(result, { kind: 'success', requeueAfterMs: 300_000 });
    const status = toStatus(draft);
    assert.equal(status.observedGeneration, 2);
    assert.deepEqual(status.conditions.map((c) => [c.type, c.status, c.reason]), [['Ready', 'True', 'Succeeded'], ['ArtifactInStorage', 'True', 'Succeeded']]);
  });

  it('failure: the failing condition set, Reconciling becomes ProgressingWithRetry, Ready False with the failure, generation kept', () => {
    const draft = base({ conditions: [{ type: 'Reconciling', status: 'True', reason: 'Progressing', message: 'reconciliation in progress', lastTransitionTime: '2026-01-01T00:00:00Z' }] });
    const failure = new StepFailure({ condition: 'FetchFailed', reason: 'OCIArtifactPullFailed', message: 'failed to pull artifact' });
    const result = summarizeReconcile(draft, parsed({}), { kind: 'failure', failure }, NOW);
    assert.equal(result.kind, 'retry');
    const status = toStatus(draft);
    assert.equal(status.observedGeneration, 1);
    assert.deepEqual(status.conditions.map((c) => [c.type, c.status, c.reason]), [
      ['Reconciling', 'True', 'ProgressingWithRetry'], ['Ready', 'False', 'OCIArtifactPullFailed'], ['FetchFailed', 'True', 'OCIArtifactPullFailed'],
    ]);
  });

  it('SourceVerified False forces Ready False even with an artifact in storage', () => {
    const draft = base({ conditions: [
      { type: 'ArtifactInStorage', status: 'True', reason: 'Succeeded', message: 'ok', lastTransitionTime: '2026-01-01T00:00:00Z' },
    ] });
    const failure = new StepFailure({ condition: 'SourceVerified', reason: 'VerificationError', message: "failed to verify the signature using provider 'cosign': no" });
    summarizeReconcile(draft, parsed({}), { kind: 'failure', failure }, NOW);
    const ready = toStatus(draft).conditions.find((c) => c.type === 'Ready');
    assert.deepEqual([ready?.status, ready?.reason, ready?.message], ['False', 'VerificationError', "failed to verify the signature using provider 'cosign': no"]);
  });

  it('stall: Stalled instead of Reconciling, observedGeneration advanced, no retry', () => {
    const draft = base({ conditions: [{ type: 'Reconciling', status: 'True', reason: 'Progressing', message: 'x', lastTransitionTime: '2026-01-01T00:00:00Z' }] });
    const failure = new StepFailure({ condition: 'SourceVerified', reason: 'VerificationConfigInvalid', message: 'm', stall: true });
    assert.equal(summarizeReconcile(draft, parsed({}), { kind: 'failure', failure }, NOW).kind, 'stalled');
    const status = toStatus(draft);
    assert.equal(status.observedGeneration, 2);
    assert.deepEqual(status.conditions.map((c) => [c.type, c.status]), [['Stalled', 'True'], ['Ready', 'False'], ['SourceVerified', 'False']]);
  });

  it('success that is not Ready is retried (Flux isNonStalledSuccess)', () => {
    const result = summarizeReconcile(base(), parsed({}), { kind: 'success' }, NOW);
    assert.equal(result.kind, 'retry');
  });
});

describe('controller: outcome events', () => {
  const artifact = { revision: 'v1@sha256:a', digest: 'sha256:b', path: 'p', url: 'u', lastUpdateTime: '2026-01-01T00:00:00Z' };
  const status = (extra: Partial<OCIRepositoryStatus>): OCIRepositoryStatus => ({ observedGeneration: 1, conditions: [], ...extra });
  const failed = [{ type: 'FetchFailed', status: 'True' as const, reason: 'OCIArtifactPullFailed', message: 'x', lastTransitionTime: '2026-01-01T00:00:00Z' }];
  const cases: { name: string; before: OCIRepositoryStatus; after: OCIRepositoryStatus; reasons: string[] }[] = [
    { name: 'new digest → NewArtifact', before: status({}), after: status({ artifact }), reasons: ['NewArtifact'] },
    { name: 'same digest → nothing', before: status({ artifact }), after: status({ artifact }), reasons: [] },
    { name: 'same digest after a failure → Succeeded', before: status({ artifact, conditions: failed }), after: status({ artifact }), reasons: ['Succeeded'] },
  ];
  for (const { name, before, after, reasons } of cases) {
    it(name, () => {
      assert.deepEqual(toOutcomeEvents({ before, after, outcome: { kind: 'success' }, url: 'oci://r/app' }).map((e) => e.reason), reasons);
    });
  }
  it('a failure is a Warning with the failure reason, message and the revision', () => {
    const failure = new StepFailure({ condition: 'FetchFailed', reason: 'OCIArtifactPullFailed', message: 'failed to pull' });
    assert.deepEqual(toOutcomeEvents({ before: status({}), after: status({}), outcome: { kind: 'failure', failure }, url: 'u', revision: 'v1@sha256:a' }), [{
      type: 'Warning', reason: 'OCIArtifactPullFailed', message: 'failed to pull', annotations: { 'source.k8sstormcenter.io/revision': 'v1@sha256:a' },
    }]);
  });
});

describe('controller: semver tag selection (Flux version.ParseVersion)', () => {
  const tags = ['latest', '1.0', 'v1.2.0', '1.10.0', '1.9.9', '2.0.0-rc.1', 'v1.2.0-alpha', 'banana'];
  const cases: { range: string; filter?: RegExp; expected: string | undefined }[] = [
    { range: '>=1.0.0 <2.0.0', expected: '1.10.0' },
    { range: '^1.2', filter: /^v/, expected: 'v1.2.0' },
    { range: '>=2.0.0-0', expected: '2.0.0-rc.1' },
    { range: '>=3.0.0', expected: undefined },
    { range: '1.0.x', expected: undefined },
  ];
  for (const { range, filter, expected } of cases) {
    it(`${range}${filter === undefined ? '' : ` filter ${filter.source}`} → ${String(expected)}`, () => {
      assert.equal(selectSemverTag(tags, range, filter), expected);
    });
  }
});

describe('controller: registry access from Secrets', () => {
  const secretValue = 's3cr3t-value';

  it('reads a dockerconfigjson Secret into credentials for the registry', async () => {
    const secrets = new MemorySecrets();
    secrets.set('pull', { '.dockerconfigjson': JSON.stringify({ auths: { 'registry.test': { username: 'u', password: secretValue } } }) });
    const access = await readRegistryAccess(parsed({ secretRef: { name: 'pull' } }), secrets, signal);
    assert.deepEqual(await access.credentials?.('registry.test', signal), { kind: 'basic', username: 'u', password: secretValue });
    assert.equal(access.fingerprint.includes(secretValue), false);
  });

  it('chains secretRef then the service account pull secrets', async () => {
    const secrets = new MemorySecrets();
    secrets.set('pull', { '.dockerconfigjson': JSON.stringify({ auths: { 'other.test': { username: 'a', password: 'b' } } }) });
    secrets.set('sa-pull', { '.dockerconfigjson': JSON.stringify({ auths: { 'registry.test': { username: 'c', password: 'd' } } }) });
    secrets.accounts.set('puller', ['sa-pull']);
    const access = await readRegistryAccess(parsed({ secretRef: { name: 'pull' }, serviceAccountName: 'puller' }), secrets, signal);
    assert.deepEqual(await access.credentials?.('registry.test', signal), { kind: 'basic', username: 'c', password: 'd' });
  });

  it('a rotated Secret changes the fingerprint', async () => {
    const secrets = new MemorySecrets();
    secrets.set('pull', { '.dockerconfigjson': JSON.stringify({ auths: {} }) });
    const first = await readRegistryAccess(parsed({ secretRef: { name: 'pull' } }), secrets, signal);
    secrets.set('pull', { '.dockerconfigjson': JSON.stringify({ auths: { x: { username: 'a', password: 'b' } } }) });
    const second = await readRegistryAccess(parsed({ secretRef: { name: 'pull' } }), secrets, signal);
    assert.notEqual(first.fingerprint, second.fingerprint);
  });

  const failures: { name: string; spec: Record<string, unknown>; secrets: Record<string, Record<string, string>>; message: string }[] = [
    { name: 'missing pull Secret', spec: { secretRef: { name: 'pull' } }, secrets: {}, message: `failed to get credential: secret '${NAMESPACE}/pull' not found` },
    { name: 'pull Secret without .dockerconfigjson', spec: { secretRef: { name: 'pull' } }, secrets: { pull: { token: secretValue } }, message: `failed to get credential: secret '${NAMESPACE}/pull' has no '.dockerconfigjson' key` },
    { name: 'missing service account', spec: { serviceAccountName: 'sa' }, secrets: {}, message: `failed to get credential: service account '${NAMESPACE}/sa' not found` },
    {
      name: 'tls.crt without tls.key', spec: { certSecretRef: { name: 'tls' } }, secrets: { tls: { 'tls.crt': secretValue } },
      message: `failed to generate transport for 'oci://registry.test/app': secret '${NAMESPACE}/tls' must contain both 'tls.crt' and 'tls.key', or neither`,
    },
    {
      name: 'TLS Secret with nothing usable', spec: { certSecretRef: { name: 'tls' } }, secrets: { tls: { other: secretValue } },
      message: `failed to generate transport for 'oci://registry.test/app': secret '${NAMESPACE}/tls' must contain 'ca.crt', or both 'tls.crt' and 'tls.key'`,
    },
    { name: 'proxy Secret without address', spec: { proxySecretRef: { name: 'proxy' } }, secrets: { proxy: { password: secretValue } }, message: `failed to get proxy address: secret '${NAMESPACE}/proxy' has no 'address' key` },
    { name: 'proxy address not a URL', spec: { proxySecretRef: { name: 'proxy' } }, secrets: { proxy: { address: secretValue } }, message: `failed to get proxy address: secret '${NAMESPACE}/proxy': 'address' is not a URL` },
  ];
  for (const { name, spec, secrets: data, message } of failures) {
    it(`${name} → FetchFailed AuthenticationFailed, no value shown`, async () => {
      const secrets = new MemorySecrets();
      for (const [secretName, entries] of Object.entries(data)) secrets.set(secretName, entries);
      const failure = await failureOf(readRegistryAccess(parsed(spec), secrets, signal));
      assert.deepEqual([failure.condition, failure.reason, failure.message], ['FetchFailed', 'AuthenticationFailed', message]);
      assert.equal(failure.message.includes(secretValue), false);
    });
  }

  it('puts proxy credentials into the proxy URL and plain HTTP for insecure', async () => {
    const secrets = new MemorySecrets();
    secrets.set('proxy', { address: 'http://proxy.test:3128', username: 'me', password: 'p@ss' });
    const access = await readRegistryAccess(parsed({ proxySecretRef: { name: 'proxy' }, insecure: true }), secrets, signal);
    assert.deepEqual(access.host, { plainHttp: true, proxy: 'http://me:p%40ss@proxy.test:3128/' });
  });
});

describe('controller: verification material from Secrets', () => {
  const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' });

  it('no spec.verify → nothing', async () => {
    assert.equal(await readVerificationMaterial(parsed({}), new MemorySecrets(), signal), undefined);
  });

  it('cosign keys: every .pub entry; the fingerprint follows the Secret content', async () => {
    const secrets = new MemorySecrets();
    secrets.set('keys', { 'a.pub': pem, 'readme.txt': 'not a key' });
    const object = parsed({ verify: { provider: 'cosign', secretRef: { name: 'keys' } } });
    const first = await readVerificationMaterial(object, secrets, signal);
    assert.equal(first?.label, 'cosign');
    assert.equal(first.verifier.provider, 'cosign');
    secrets.set('keys', { 'a.pub': pem, 'b.pub': generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }) });
    const second = await readVerificationMaterial(object, secrets, signal);
    assert.notEqual(first.fingerprint, second?.fingerprint);
  });

  const failures: { name: string; verify: Record<string, unknown>; secrets: Record<string, Record<string, string>>; message: string; stall: boolean }[] = [
    {
      name: 'cosign Secret missing', verify: { provider: 'cosign', secretRef: { name: 'keys' } }, secrets: {}, stall: false,
      message: `failed to verify the signature using provider 'cosign': secret '${NAMESPACE}/keys' not found`,
    },
    {
      name: 'cosign Secret without .pub', verify: { provider: 'cosign', secretRef: { name: 'keys' } }, secrets: { keys: { 'key.pem': 'x' } }, stall: false,
      message: `failed to verify the signature using provider 'cosign': no public keys found in secret '${NAMESPACE}/keys'`,
    },
    {
      name: 'notation without trustpolicy.json', verify: { provider: 'notation', secretRef: { name: 'n' } }, secrets: { n: { 'ca.crt': 'x' } }, stall: false,
      message: `failed to verify the signature using provider 'notation': 'trustpolicy.json' not found in secret '${NAMESPACE}/n'`,
    },
    {
      name: 'notation without certificates', verify: { provider: 'notation', secretRef: { name: 'n' } }, secrets: { n: { 'trustpolicy.json': '{}' } }, stall: false,
      message: `failed to verify the signature using provider 'notation': no certificates found in secret '${NAMESPACE}/n'`,
    },
    {
      name: 'trusted root with a duplicate key',
      verify: { provider: 'cosign', matchOIDCIdentity: [{ issuer: '^https://issuer$', subject: '^me@example\\.com$' }], trustedRootSecretRef: { name: 'root' } },
      secrets: { root: { 'trusted_root.json': '{"mediaType":"a","mediaType":"b"}' } }, stall: false,
      message: `failed to verify the signature using provider 'cosign keyless': 'trusted_root.json' in secret '${NAMESPACE}/root' is not valid JSON: duplicate key "mediaType"`,
    },
    {
      name: 'policy without policy.json', verify: { provider: 'policy', secretRef: { name: 'p' } }, secrets: { p: {} }, stall: false,
      message: `failed to verify the signature using provider 'policy': 'policy.json' not found in secret '${NAMESPACE}/p'`,
    },
  ];
  for (const { name, verify, secrets: data, message, stall } of failures) {
    it(`${name} → SourceVerified VerificationConfigInvalid${stall ? ', stalled' : ', retried'}`, async () => {
      const secrets = new MemorySecrets();
      for (const [secretName, entries] of Object.entries(data)) secrets.set(secretName, entries);
      const failure = await failureOf(readVerificationMaterial(parsed({ verify }), secrets, signal));
      assert.deepEqual([failure.condition, failure.reason, failure.message, failure.stall], ['SourceVerified', 'VerificationConfigInvalid', message, stall]);
    });
  }

  it('policy key paths read Secret entries by their last segment, never the filesystem', async () => {
    const secrets = new MemorySecrets();
    secrets.set('p', {
      'policy.json': JSON.stringify({ default: [{ type: 'sigstoreSigned', keyPath: '/etc/passwd', signedIdentity: { type: 'matchRepository' } }] }),
    });
    const material = await readVerificationMaterial(parsed({ verify: { provider: 'policy', secretRef: { name: 'p' } } }), secrets, signal);
    assert.equal(material?.label, 'policy');
    const client = new RegistryClient({ retry: { maxAttempts: 1 } });
    try {
      await assert.rejects(material.verifier.verify(
        { reference: { registry: 'registry.test', repository: 'app', tag: 'v1' }, descriptor: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 2 } },
        { client, signal, now: () => NOW, limits: DEFAULT_VERIFY_LIMITS },
      ), (error: unknown) => {
        assert.ok(isBobError(error, 'CONFIG_INVALID'));
        assert.equal(error.message, 'policy.json default[0].keyPath: the key file cannot be read');
        assert.equal((error.cause as Error).message, `trusted key "/etc/passwd" is not a key of secret '${NAMESPACE}/p'`);
        return true;
      });
    } finally {
      await client.close();
    }
  });
});

describe('controller: registry client cache and queue results', () => {
  it('shares a client per fingerprint and closes the least recently used beyond the cap', async () => {
    const created: { closed: boolean }[] = [];
    const cache = createRegistryClientCache({
      maxClients: 2,
      create: () => {
        const entry = { closed: false };
        created.push(entry);
        return { close: () => { entry.closed = true; return Promise.resolve(); } } as unknown as RegistryClient;
      },
    });
    const access = (fingerprint: string): RegistryAccess => ({ registry: 'registry.test', host: {}, fingerprint });
    const a = cache.clientFor(access('a'));
    assert.equal(cache.clientFor(access('a')), a);
    cache.clientFor(access('b'));
    cache.clientFor(access('a'));
    cache.clientFor(access('c'));
    assert.equal(cache.size, 2);
    assert.deepEqual(created.map((c) => c.closed), [false, true, false]);
    await cache.close();
    assert.deepEqual(created.map((c) => c.closed), [true, true, true]);
  });

  it('maps results onto the work queue: success requeues (jittered), stalled and done schedule nothing', () => {
    assert.deepEqual(toQueueResult({ kind: 'success', requeueAfterMs: 1000 }, (ms) => ms + 1), { kind: 'requeue', afterMs: 1001 });
    assert.deepEqual(toQueueResult({ kind: 'stalled', error: new Error('x') }), { kind: 'done' });
    assert.deepEqual(toQueueResult({ kind: 'done' }), { kind: 'done' });
    const error = new Error('y');
    assert.deepEqual(toQueueResult({ kind: 'retry', error }), { kind: 'retry', error });
  });
});
