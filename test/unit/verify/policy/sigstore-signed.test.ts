// sigstoreSigned on hand-built cosign signatures (node:crypto): keys,
// keys + Rekor SET, the check order crypto → payload → digest → identity,
// and the verdicts of the whole policy verifier on a fake registry.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OCI_MANIFEST, parseManifest, type Descriptor, type RegistryClient } from '../../../../src/oci/index.ts';
import { BobError, describeError, digestOf, isBobError } from '../../../../src/shared/index.ts';
import { DEFAULT_VERIFY_LIMITS, type VerificationContext, type VerificationSubject } from '../../../../src/verify/index.ts';
import { isRejectionError } from '../../../../src/verify/errors.ts';
import { toCanonicalJson } from '../../../../src/verify/policy/canonical-json.ts';
import { parseNormalizedNamed } from '../../../../src/verify/policy/docker-reference.ts';
import {
  createPolicyVerifier, createTrustedKeyReader, parsePolicy, parseRegistriesD, type TrustedKeyReader,
} from '../../../../src/verify/policy/index.ts';
import {
  acceptSigstoreSignature, prepareSigstoreTrust, type SigstoreSignature, type SigstoreTrust,
} from '../../../../src/verify/policy/sigstore-signed.ts';
import type { SigstoreSignedRequirement } from '../../../../src/verify/policy/policy-types.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const OTHER_DIGEST = `sha256:${'cd'.repeat(32)}`;
const REPO = 'registry.example/team/app';

const pemOf = (key: KeyObject): string => key.export({ type: 'spki', format: 'pem' }).toString();
const b64 = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64');

function keyPair(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

function payloadFor(digest: string, reference: string, optional: unknown = null): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({
    critical: { identity: { 'docker-reference': reference }, image: { 'docker-manifest-digest': digest }, type: 'cosign container image signature' },
    optional,
  }));
}

/** A cosign legacy signature layer, optionally with a Rekor SET made by `rekor`. */
function cosignSignature(signer: KeyObject, signerPublic: KeyObject, payload: Uint8Array, rekor?: KeyObject): SigstoreSignature {
  const signature = sign('sha256', payload, signer);
  const annotations: Record<string, string> = { 'dev.cosignproject.cosign/signature': b64(signature) };
  if (rekor !== undefined) annotations['dev.sigstore.cosign/bundle'] = setFor(rekor, signerPublic, signature, payload);
  return { source: 'sha256-x.sig layer 0', payload, annotations };
}

function setFor(rekor: KeyObject, signerPublic: KeyObject, signature: Uint8Array, payload: Uint8Array, overrides: Record<string, unknown> = {}): string {
  const body = {
    apiVersion: '0.0.1', kind: 'hashedrekord',
    spec: {
      data: { hash: { algorithm: 'sha256', value: createHash('sha256').update(payload).digest('hex') } },
      signature: { content: b64(signature), publicKey: { content: b64(pemOf(signerPublic)) } },
    },
    ...overrides,
  };
  const setPayload = { body: b64(JSON.stringify(body)), integratedTime: 1_700_000_000, logIndex: 42, logID: 'c0ffee' };
  return JSON.stringify({ SignedEntryTimestamp: b64(sign('sha256', toCanonicalJson(setPayload), rekor)), Payload: setPayload });
}

function requirement(fields: Record<string, unknown>): SigstoreSignedRequirement {
  const parsed = parsePolicy(JSON.stringify({ default: [{ type: 'sigstoreSigned', ...fields }] })).default[0];
  assert.ok(parsed?.type === 'sigstoreSigned');
  return parsed;
}

const noFiles: TrustedKeyReader = () => Promise.reject(new Error('no files in this test'));

async function trustFor(fields: Record<string, unknown>, reader: TrustedKeyReader = noFiles): Promise<SigstoreTrust> {
  return prepareSigstoreTrust(requirement(fields), reader);
}

function expectRejection(run: () => unknown, code: string, message: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(isRejectionError(error), String(error));
    assert.equal(error.code, code, error.message);
    assert.match(error.message, message);
    return true;
  });
}

const expected = (reference = `${REPO}:v1`, digest = DIGEST) => ({ digest, intended: parseNormalizedNamed(reference), now: new Date() });

describe('verify/policy sigstoreSigned on hand-built signatures', () => {
  const signer = keyPair();
  const stranger = keyPair();
  const rekor = keyPair();
  const keyData = b64(pemOf(signer.publicKey));

  it('key only: accepts a valid signature and names the key', async () => {
    const trust = await trustFor({ keyData, signedIdentity: { type: 'matchRepository' } });
    const accepted = acceptSigstoreSignature(trust, cosignSignature(signer.privateKey, signer.publicKey, payloadFor(DIGEST, REPO)), expected());
    const fingerprint = createHash('sha256').update(signer.publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
    assert.equal(accepted.signer, `key SHA256:${fingerprint}`);
  });

  it('keyDatas: any of the keys may have signed', async () => {
    const trust = await trustFor({ keyDatas: [b64(pemOf(stranger.publicKey)), keyData], signedIdentity: { type: 'matchRepository' } });
    assert.doesNotThrow(() => acceptSigstoreSignature(trust, cosignSignature(signer.privateKey, signer.publicKey, payloadFor(DIGEST, REPO)), expected()));
  });

  it('the default identity (matchRepoDigestOrExact) never accepts a cosign repository-only identity', async () => {
    const trust = await trustFor({ keyData });
    expectRejection(() => acceptSigstoreSignature(trust, cosignSignature(signer.privateKey, signer.publicKey, payloadFor(DIGEST, REPO)), expected()),
      'IDENTITY_MISMATCH', /Signature for identity "registry.example\/team\/app" is not accepted/);
    expectRejection(() => acceptSigstoreSignature(trust, cosignSignature(signer.privateKey, signer.publicKey, payloadFor(DIGEST, REPO)), expected(`${REPO}@${DIGEST}`)),
      'IDENTITY_MISMATCH', /not accepted/);
    // A tag identity (skopeo --sign-identity style) is accepted by the default.
    assert.doesNotThrow(() => acceptSigstoreSignature(trust, cosignSignature(signer.privateKey, signer.publicKey, payloadFor(DIGEST, `${REPO}:v1`)), expected()));
  });

  it('checks in order: crypto, then payload, then digest, then identity', async () => {
    const trust = await trustFor({ keyData, signedIdentity: { type: 'matchExact' } });
    // Wrong key and bad payload and wrong digest: the crypto failure wins.
    expectRejection(() => acceptSigstoreSignature(trust, cosignSignature(stranger.privateKey, stranger.publicKey, new TextEncoder().encode('not json')), expected()),
      'SIGNATURE_INVALID', /cryptographic signature verification failed/);
    expectRejection(() => acceptSigstoreSignature(trust, cosignSignature(signer.privateKey, signer.publicKey, new TextEncoder().encode('This is not JSON')), expected()),
      'PAYLOAD_INVALID', /invalid signature payload/);
    const duplicate = new TextEncoder().encode(`{"critical":{"identity":{"docker-reference":"${REPO}"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"cosign container image signature","type":"x"},"optional":null}`);
    expectRejection(() => acceptSigstoreSignature(trust, cosignSignature(signer.privateKey, signer.publicKey, duplicate), expected()), 'PAYLOAD_INVALID', /duplicate key/);
    expectRejection(() => acceptSigstoreSignature(trust, cosignSignature(signer.privateKey, signer.publicKey, payloadFor(OTHER_DIGEST, 'other.example/x')), expected()),
      'SUBJECT_MISMATCH', new RegExp(`Signature for digest ${OTHER_DIGEST} does not match`));
    expectRejection(() => acceptSigstoreSignature(trust, cosignSignature(signer.privateKey, signer.publicKey, payloadFor(DIGEST, `${REPO}:v2`)), expected()),
      'IDENTITY_MISMATCH', /not accepted/);
  });

  it('refuses a missing or non-canonical signature annotation', async () => {
    const trust = await trustFor({ keyData, signedIdentity: { type: 'matchRepository' } });
    const good = cosignSignature(signer.privateKey, signer.publicKey, payloadFor(DIGEST, REPO));
    expectRejection(() => acceptSigstoreSignature(trust, { ...good, annotations: {} }, expected()), 'SIGNATURE_INVALID', /missing dev.cosignproject.cosign\/signature annotation/);
    const urlSafe = (good.annotations['dev.cosignproject.cosign/signature'] ?? '').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expectRejection(() => acceptSigstoreSignature(trust, { ...good, annotations: { 'dev.cosignproject.cosign/signature': `${urlSafe}-` } }, expected()),
      'SIGNATURE_INVALID', /base64/);
  });

  it('RSA and Ed25519 keys verify like sigstore LoadVerifier (PKCS#1 v1.5 SHA-256, pure Ed25519)', async () => {
    for (const pair of [generateKeyPairSync('rsa', { modulusLength: 2048 }), generateKeyPairSync('ed25519')]) {
      const trust = await trustFor({ keyData: b64(pemOf(pair.publicKey)), signedIdentity: { type: 'matchRepository' } });
      const payload = payloadFor(DIGEST, REPO);
      const signature = pair.publicKey.asymmetricKeyType === 'ed25519' ? sign(null, payload, pair.privateKey) : sign('sha256', payload, pair.privateKey);
      assert.doesNotThrow(() => acceptSigstoreSignature(trust, { source: 's', payload, annotations: { 'dev.cosignproject.cosign/signature': b64(signature) } }, expected()));
    }
  });

  describe('keys + Rekor', () => {
    const fields = { keyData, rekorPublicKeyData: b64(pemOf(rekor.publicKey)), signedIdentity: { type: 'matchRepository' } };

    it('accepts a signature with a valid SET and reports the integrated time', async () => {
      const accepted = acceptSigstoreSignature(await trustFor(fields), cosignSignature(signer.privateKey, signer.publicKey, payloadFor(DIGEST, REPO), rekor.privateKey), expected());
      assert.equal(accepted.signedAt?.toISOString(), new Date(1_700_000_000_000).toISOString());
    });

    it('requires the SET', async () => {
      const trust = await trustFor(fields);
      expectRejection(() => acceptSigstoreSignature(trust, cosignSignature(signer.privateKey, signer.publicKey, payloadFor(DIGEST, REPO)), expected()),
        'TLOG_INVALID', /missing dev.sigstore.cosign\/bundle annotation/);
    });

    it('refuses a SET signed by another log key', async () => {
      const trust = await trustFor(fields);
      expectRejection(() => acceptSigstoreSignature(trust, cosignSignature(signer.privateKey, signer.publicKey, payloadFor(DIGEST, REPO), stranger.privateKey), expected()),
        'TLOG_INVALID', /cryptographic signature verification of Rekor SET failed/);
    });

    it('refuses a SET whose entry names another key, signature or payload', async () => {
      const trust = await trustFor(fields);
      const payload = payloadFor(DIGEST, REPO);
      const signature = sign('sha256', payload, signer.privateKey);
      const withSet = (set: string): SigstoreSignature => ({
        source: 's', payload, annotations: { 'dev.cosignproject.cosign/signature': b64(signature), 'dev.sigstore.cosign/bundle': set },
      });
      expectRejection(() => acceptSigstoreSignature(trust, withSet(setFor(rekor.privateKey, stranger.publicKey, signature, payload)), expected()),
        'TLOG_INVALID', /publicKey in Rekor SET does not match/);
      expectRejection(() => acceptSigstoreSignature(trust, withSet(setFor(rekor.privateKey, signer.publicKey, sign('sha256', payloadFor(OTHER_DIGEST, REPO), signer.privateKey), payload)), expected()),
        'TLOG_INVALID', /signature in Rekor SET does not match/);
      expectRejection(() => acceptSigstoreSignature(trust, withSet(setFor(rekor.privateKey, signer.publicKey, signature, payloadFor(OTHER_DIGEST, REPO))), expected()),
        'TLOG_INVALID', /payload in Rekor SET does not match/);
      expectRejection(() => acceptSigstoreSignature(trust, withSet(setFor(rekor.privateKey, signer.publicKey, signature, payload, { apiVersion: '0.0.2' })), expected()),
        'TLOG_INVALID', /unsupported Rekor SET Payload hashedrekord version/);
      expectRejection(() => acceptSigstoreSignature(trust, withSet(setFor(rekor.privateKey, signer.publicKey, signature, payload, { kind: 'intoto' })), expected()),
        'TLOG_INVALID', /unsupported entry kind/);
      const tampered = JSON.parse(setFor(rekor.privateKey, signer.publicKey, signature, payload)) as { Payload: { logIndex: number } };
      tampered.Payload.logIndex = 43;
      expectRejection(() => acceptSigstoreSignature(trust, withSet(JSON.stringify(tampered)), expected()), 'TLOG_INVALID', /verification of Rekor SET failed/);
    });

    it('uses only the key whose SET verifies', async () => {
      const trust = await trustFor({ ...fields, keyData: undefined, keyDatas: [b64(pemOf(stranger.publicKey)), keyData] });
      assert.doesNotThrow(() => acceptSigstoreSignature(trust, cosignSignature(signer.privateKey, signer.publicKey, payloadFor(DIGEST, REPO), rekor.privateKey), expected()));
    });
  });

  it('prepares trust material through the reader and names broken fields', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bob-policy-keys-'));
    writeFileSync(join(dir, 'cosign.pub'), pemOf(signer.publicKey));
    writeFileSync(join(dir, 'rsa-rekor.pub'), pemOf(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey));
    writeFileSync(join(dir, 'garbage.pub'), 'not a key');
    const reader = createTrustedKeyReader(dir);
    await trustFor({ keyPath: 'cosign.pub' }, reader);
    await trustFor({ keyPath: join(dir, 'cosign.pub') }, reader);
    const broken: readonly (readonly [Record<string, unknown>, RegExp])[] = [
      [{ keyPath: 'missing.pub' }, /policy.json default\[0\].keyPath: the key file cannot be read: trusted key "missing.pub" cannot be read/],
      [{ keyPath: 'garbage.pub' }, /default\[0\].keyPath: parsing public key: PEM decoding failed/],
      [{ keyPath: '../etc/passwd' }, /outside the trusted keys directory/],
      [{ keyPath: '/etc/passwd' }, /outside the trusted keys directory/],
      [{ keyPath: 'cosign.pub', rekorPublicKeyPath: 'rsa-rekor.pub' }, /default\[0\].rekorPublicKeyPath: Rekor public key 0 is not using ECDSA/],
      [{ keyData: b64('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n') }, /unknown public key PEM file type "CERTIFICATE"/],
    ];
    for (const [fields, message] of broken) {
      await assert.rejects(trustFor(fields, reader), (error: unknown) => isBobError(error, 'CONFIG_INVALID') && message.test(describeError(error)), JSON.stringify(fields));
    }
  });
});

describe('verify/policy createTrustedKeyReader', () => {
  it('reads inside the directory only, refusing .., absolute paths elsewhere and symlink escapes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'bob-policy-reader-'));
    const dir = join(root, 'keys');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'sub', 'a.pub'), 'A');
    writeFileSync(join(root, 'secret'), 'S');
    symlinkSync(join(root, 'secret'), join(dir, 'escape'));
    symlinkSync(join(dir, 'sub', 'a.pub'), join(dir, 'inside'));
    const read = createTrustedKeyReader(dir);
    assert.equal(Buffer.from(await read('sub/a.pub')).toString(), 'A');
    assert.equal(Buffer.from(await read(join(dir, 'sub', 'a.pub'))).toString(), 'A');
    assert.equal(Buffer.from(await read('inside')).toString(), 'A');
    for (const [path, message] of [
      ['../secret', /outside the trusted keys directory/], [join(root, 'secret'), /outside/], ['escape', /resolves outside/],
      ['sub', /not a regular file/], ['', /not a file name/], ['.', /outside/], ['missing', /cannot be read/],
    ] as const) {
      await assert.rejects(read(path), (error: unknown) => isBobError(error, 'CONFIG_INVALID') && message.test(error.message), path);
    }
  });
});

/** A registry holding one subject and, optionally, its cosign `.sig` manifest. */
function fakeClient(layers: readonly { payload: Uint8Array; annotations: Record<string, string>; mediaType?: string }[]): RegistryClient {
  const blobs = new Map<string, Uint8Array>();
  const descriptors: Descriptor[] = layers.map((layer) => {
    const digest = digestOf(layer.payload);
    blobs.set(digest, layer.payload);
    return { mediaType: layer.mediaType ?? 'application/vnd.dev.cosign.simplesigning.v1+json', digest, size: layer.payload.length, annotations: layer.annotations };
  });
  const config = new TextEncoder().encode('{}');
  const bytes = new TextEncoder().encode(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length }, layers: descriptors,
  }));
  const client = {
    fetchManifest: (reference: { tag?: string }) => {
      if (layers.length === 0 || reference.tag !== `${DIGEST.replace(':', '-')}.sig`) {
        return Promise.reject(new BobError('MANIFEST_UNKNOWN', 'manifest unknown'));
      }
      return Promise.resolve({ descriptor: { mediaType: OCI_MANIFEST, digest: digestOf(bytes), size: bytes.length }, bytes, manifest: parseManifest(bytes) });
    },
    fetchBlobBytes: (_repository: unknown, descriptor: Descriptor) => Promise.resolve(blobs.get(descriptor.digest) ?? new Uint8Array()),
  };
  return client as unknown as RegistryClient;
}

describe('verify/policy createPolicyVerifier', () => {
  const signer = keyPair();
  const keyData = b64(pemOf(signer.publicKey));
  const subject: VerificationSubject = {
    reference: { registry: 'registry.example', repository: 'team/app', tag: 'v1' },
    descriptor: { mediaType: OCI_MANIFEST, digest: DIGEST, size: 100 },
  };
  const attachments = parseRegistriesD([{ name: 'default.yaml', text: 'default-docker:\n  use-sigstore-attachments: true\n' }]);
  const context = (client: RegistryClient, warnings: string[] = []): VerificationContext => ({
    client, signal: AbortSignal.timeout(10_000), now: () => new Date(), limits: DEFAULT_VERIFY_LIMITS, warn: (message) => warnings.push(message),
  });
  const verifierFor = (policy: unknown, registriesD = attachments) =>
    createPolicyVerifier({ policy: parsePolicy(JSON.stringify(policy)), readTrustedKey: noFiles, registriesD });
  const signed = (reference: string) => {
    const payload = payloadFor(DIGEST, reference);
    return { payload, annotations: { 'dev.cosignproject.cosign/signature': b64(sign('sha256', payload, signer.privateKey)) } };
  };

  it('insecureAcceptAnything: verified with no signatures and a warning', async () => {
    const warnings: string[] = [];
    const verdict = await verifierFor({ default: [{ type: 'insecureAcceptAnything' }] }).verify(subject, context(fakeClient([]), warnings));
    assert.deepEqual(verdict, {
      outcome: 'verified', provider: 'policy', signatures: [],
      warnings: ['policy.json default accepts docker://registry.example/team/app:v1 without verifying any signature (insecureAcceptAnything)'],
    });
    assert.deepEqual(warnings, verdict.outcome === 'verified' ? verdict.warnings : []);
  });

  it('reject: POLICY_REJECTED with upstream wording, familiar names for Docker Hub', async () => {
    const verdict = await verifierFor({ default: [{ type: 'reject' }] }).verify(
      { ...subject, reference: { registry: 'docker.io', repository: 'library/busybox' } }, context(fakeClient([])));
    assert.deepEqual(verdict, { outcome: 'rejected', provider: 'policy', code: 'POLICY_REJECTED', reason: 'Running image docker://busybox:latest is rejected by policy.', attempts: [] });
  });

  it('signedBaseLayer always denies', async () => {
    const verdict = await verifierFor({ default: [{ type: 'signedBaseLayer', baseLayerIdentity: { type: 'matchExact' } }] }).verify(subject, context(fakeClient([])));
    assert.equal(verdict.outcome === 'rejected' ? verdict.reason : '', 'signedBaseLayer not implemented yet!');
  });

  it('sigstoreSigned accepts a signed image and reports the signer and source', async () => {
    const verdict = await verifierFor({ default: [{ type: 'sigstoreSigned', keyData, signedIdentity: { type: 'matchRepository' } }] })
      .verify(subject, context(fakeClient([signed(REPO)])));
    assert.ok(verdict.outcome === 'verified', JSON.stringify(verdict));
    const [first, ...rest] = verdict.signatures;
    assert.equal(rest.length, 0);
    assert.ok(first !== undefined);
    assert.equal(first.format, 'sigstore-attachment');
    assert.equal(first.source, `${DIGEST.replace(':', '-')}.sig layer 0`);
    assert.match(first.signer, /^key SHA256:[0-9a-f]{64}$/);
    assert.deepEqual(verdict.warnings, []);
  });

  it('sigstoreSigned: no signatures, attachments disabled, only other attachments, one bad and one good', async () => {
    const policy = { default: [{ type: 'sigstoreSigned', keyData, signedIdentity: { type: 'matchRepository' } }] };
    const none = await verifierFor(policy).verify(subject, context(fakeClient([])));
    assert.deepEqual(none, { outcome: 'rejected', provider: 'policy', code: 'NO_SIGNATURES', reason: 'A signature was required, but no signature exists', attempts: [] });
    const disabled = await verifierFor(policy, parseRegistriesD([])).verify(subject, context(fakeClient([signed(REPO)])));
    assert.equal(disabled.outcome === 'rejected' ? disabled.code : '', 'NO_SIGNATURES');
    const others = await verifierFor(policy).verify(subject, context(fakeClient([{ ...signed(REPO), mediaType: 'application/vnd.dsse.envelope.v1+json' }])));
    assert.equal(others.outcome === 'rejected' ? others.reason : '',
      'A signature was required, but no signature exists (0 non-sigstore signatures, 1 sigstore non-signature attachments)');
    const bad = { payload: payloadFor(DIGEST, REPO), annotations: { 'dev.cosignproject.cosign/signature': b64(new Uint8Array(70)) } };
    const mixed = await verifierFor(policy).verify(subject, context(fakeClient([bad, signed(REPO)])));
    assert.equal(mixed.outcome, 'verified');
    const twoBad = await verifierFor(policy).verify(subject, context(fakeClient([bad, signed('other.example/x')])));
    assert.ok(twoBad.outcome === 'rejected');
    assert.equal(twoBad.code, 'IDENTITY_MISMATCH');
    assert.equal(twoBad.attempts.length, 2);
    assert.deepEqual(twoBad.attempts.map((attempt) => attempt.code), ['SIGNATURE_INVALID', 'IDENTITY_MISMATCH']);
    assert.match(twoBad.reason, /^None of the signatures were accepted, reasons: cryptographic signature verification failed; Signature for identity "other.example\/x" is not accepted$/);
  });

  it('the default identity rejects cosign-created signatures end to end', async () => {
    const verdict = await verifierFor({ default: [{ type: 'sigstoreSigned', keyData }] }).verify(subject, context(fakeClient([signed(REPO)])));
    assert.equal(verdict.outcome === 'rejected' ? verdict.code : '', 'IDENTITY_MISMATCH');
  });

  it('all requirements must allow (AND), and scopes pick the list', async () => {
    const verifier = verifierFor({
      default: [{ type: 'reject' }],
      transports: { docker: {
        'registry.example/team': [{ type: 'insecureAcceptAnything' }, { type: 'sigstoreSigned', keyData, signedIdentity: { type: 'matchRepository' } }],
        'registry.example/open': [{ type: 'insecureAcceptAnything' }],
      } },
    });
    assert.equal((await verifier.verify(subject, context(fakeClient([signed(REPO)])))).outcome, 'verified');
    assert.equal((await verifier.verify(subject, context(fakeClient([])))).outcome, 'rejected');
    const open = await verifier.verify({ ...subject, reference: { registry: 'registry.example', repository: 'open/app' } }, context(fakeClient([])));
    assert.equal(open.outcome, 'verified');
    const other = await verifier.verify({ ...subject, reference: { registry: 'elsewhere.example', repository: 'app' } }, context(fakeClient([])));
    assert.equal(other.outcome === 'rejected' ? other.code : '', 'POLICY_REJECTED');
  });

  it('a broken key in the selected scope throws CONFIG_INVALID; in another scope it does not matter', async () => {
    const verifier = verifierFor({
      default: [{ type: 'insecureAcceptAnything' }],
      transports: { docker: { 'registry.example/broken': [{ type: 'sigstoreSigned', keyPath: 'missing.pub' }] } },
    });
    assert.equal((await verifier.verify(subject, context(fakeClient([])))).outcome, 'verified');
    await assert.rejects(verifier.verify({ ...subject, reference: { registry: 'registry.example', repository: 'broken/app' } }, context(fakeClient([]))),
      (error: unknown) => isBobError(error, 'CONFIG_INVALID') && /transports.docker\["registry.example\/broken"\]\[0\].keyPath/.test(error.message));
  });

  it('too many signature layers is a rejection, not a truncation', async () => {
    const verdict = await verifierFor({ default: [{ type: 'sigstoreSigned', keyData, signedIdentity: { type: 'matchRepository' } }] })
      .verify(subject, { ...context(fakeClient([signed(REPO), signed(REPO)])), limits: { ...DEFAULT_VERIFY_LIMITS, signatures: 1 } });
    assert.equal(verdict.outcome === 'rejected' ? verdict.code : '', 'TOO_MANY_SIGNATURES');
  });
});
