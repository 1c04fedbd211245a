// The notation provider against the real notation CLI on real registries:
// distribution (referrers tag fallback) and zot (referrers API). notation
// signs (JWS and COSE) → bob verifies, and refuses the tampered cases with
// exact codes; bob signs (JWS and COSE) → `notation verify` accepts, and bob
// verifies its own signatures.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OCI_MANIFEST, RegistryClient, parseReference, type Descriptor } from '../../../src/oci/index.ts';
import {
  createNotationVerifier, DEFAULT_VERIFY_LIMITS, readTrustStoreDirectory, signNotation, type TrustStore, type Verdict,
  type VerificationContext, type VerificationSubject,
} from '../../../src/verify/index.ts';
import { registry, scratchDir } from '../../env/environment.ts';
import { pushTestImage } from '../../env/fixtures.ts';
import { isolatedEnv } from '../../env/peers.ts';
import type { Registry, RegistryKind } from '../../env/registries.ts';
import { run } from '../../env/run.ts';
import { toolPath } from '../../env/tools.ts';

const SIGNATURE_TYPE = 'application/vnd.cncf.notary.signature';

function clientFor(reg: Registry): RegistryClient {
  return new RegistryClient({ hosts: { [reg.host]: { plainHttp: !reg.tls } } });
}

function contextFor(client: RegistryClient, warnings: string[] = []): VerificationContext {
  return {
    client, signal: AbortSignal.timeout(60_000), now: () => new Date(), limits: DEFAULT_VERIFY_LIMITS,
    warn: (message) => warnings.push(message),
  };
}

async function subjectOf(client: RegistryClient, pinned: string): Promise<VerificationSubject> {
  const reference = parseReference(pinned);
  const descriptor = await client.resolve(reference, { signal: AbortSignal.timeout(30_000) });
  return { reference, descriptor };
}

function policy(stores: string[], identities: string[], level = 'strict'): string {
  return JSON.stringify({
    version: '1.0',
    trustPolicies: [{ name: 'bob-test', registryScopes: ['*'], signatureVerification: { level }, trustStores: stores, trustedIdentities: identities }],
  });
}

function assertRejected(verdict: Verdict, code: string, reason: RegExp): void {
  assert.equal(verdict.outcome, 'rejected', JSON.stringify(verdict));
  assert.equal(verdict.code, code, verdict.reason);
  assert.match(verdict.reason, reason);
}

interface Setup {
  readonly reg: Registry;
  readonly home: string;
  readonly notation: (...args: string[]) => Promise<{ stdout: string; code: number | null }>;
  readonly storeFlags: string[];
  readonly trustStore: TrustStore;
}

async function setUp(kind: RegistryKind): Promise<Setup> {
  const reg = await registry({ kind });
  const home = scratchDir(`notation-${kind}`);
  const env = isolatedEnv(home);
  const notation = async (...args: string[]) => run(toolPath('notation'), args, { env, cwd: home, allowFailure: true });
  const generated = await notation('cert', 'generate-test', '--default', 'bob.test');
  assert.equal(generated.code, 0);
  assert.equal((await notation('cert', 'generate-test', 'other.test')).code, 0);
  // notation 1.3 writes the tag-schema index by default; use the API where the registry has one.
  const storeFlags = reg.referrersApi ? ['--force-referrers-tag=false'] : [];
  const trustStore = await readTrustStoreDirectory(join(home, '.config', 'notation', 'truststore'));
  return { reg, home, notation, storeFlags, trustStore };
}

const IDENTITY = 'x509.subject: C=US, ST=WA, O=Notary';

describe('verify/notation: interop with the notation CLI', function () {
  this.timeout(180_000);

  for (const kind of ['distribution', 'zot'] as const satisfies readonly RegistryKind[]) {
    it(`verifies what notation signs (JWS and COSE) on ${kind}, and rejects the tampered cases`, async () => {
      const { reg, home, notation, storeFlags, trustStore } = await setUp(kind);
      const jws = await pushTestImage(reg, home, 'verify/notation', 'jws', 'jws content\n');
      const cose = await pushTestImage(reg, home, 'verify/notation', 'cose', 'cose content\n');
      const unsigned = await pushTestImage(reg, home, 'verify/notation', 'unsigned', 'unsigned content\n');
      const other = await pushTestImage(reg, home, 'verify/notation', 'other', 'other content\n');
      assert.equal((await notation('sign', '--insecure-registry', ...storeFlags, jws.pinned)).code, 0);
      assert.equal((await notation('sign', '--insecure-registry', ...storeFlags, '--signature-format', 'cose', cose.pinned)).code, 0);
      const client = clientFor(reg);
      try {
        const verifier = createNotationVerifier({ trustPolicy: policy(['ca:bob.test'], [IDENTITY]), trustStore });
        for (const [image, format] of [[jws, 'notation-jws'], [cose, 'notation-cose']] as const) {
          const verdict = await verifier.verify(await subjectOf(client, image.pinned), contextFor(client));
          assert.equal(verdict.outcome, 'verified', JSON.stringify(verdict));
          assert.equal(verdict.provider, 'notation');
          assert.equal(verdict.signatures[0]?.format, format);
          assert.equal(verdict.signatures[0].signer, 'CN=bob.test,O=Notary,L=Seattle,ST=WA,C=US');
          assert.match(verdict.signatures[0].source, /^referrer sha256:[0-9a-f]{64}$/);
          assert.deepEqual(verdict.warnings, []);
        }

        assertRejected(await verifier.verify(await subjectOf(client, unsigned.pinned), contextFor(client)), 'NO_SIGNATURES',
          /^no signature is associated with ".*@sha256:[0-9a-f]{64}", make sure the artifact was signed successfully$/);

        const wrongStore = createNotationVerifier({ trustPolicy: policy(['ca:other.test'], ['*']), trustStore });
        assertRejected(await wrongStore.verify(await subjectOf(client, jws.pinned), contextFor(client)), 'SIGNER_UNTRUSTED', /^signature is not produced by a trusted signer$/);

        const wrongIdentity = createNotationVerifier({ trustPolicy: policy(['ca:bob.test'], ['x509.subject: C=US, ST=WA, O=Other']), trustStore });
        assertRejected(await wrongIdentity.verify(await subjectOf(client, cose.pinned), contextFor(client)), 'IDENTITY_MISMATCH',
          /does not match the X.509 trusted identities \["x509.subject: C=US, ST=WA, O=Other"\]/);

        // audit logs an untrusted identity and still verifies, with the warning in the verdict and the context.
        const warnings: string[] = [];
        const audit = createNotationVerifier({ trustPolicy: policy(['ca:bob.test'], ['x509.subject: C=US, ST=WA, O=Other'], 'audit'), trustStore });
        const audited = await audit.verify(await subjectOf(client, jws.pinned), contextFor(client, warnings));
        assert.ok(audited.outcome === 'verified' && audited.warnings.length === 1);
        assert.deepEqual(warnings, audited.warnings);

        // A real notation signature re-attached to another image: valid, trusted, but for a different artifact.
        const jwsSubject = await subjectOf(client, jws.pinned);
        const referrers = await client.listReferrers(jwsSubject.reference, jwsSubject.descriptor.digest, { signal: AbortSignal.timeout(30_000) });
        const [signatureDescriptor] = referrers.filter((descriptor) => descriptor.artifactType === SIGNATURE_TYPE);
        assert.ok(signatureDescriptor !== undefined);
        const fetched = await client.fetchManifestByDescriptor(jwsSubject.reference, signatureDescriptor, { signal: AbortSignal.timeout(30_000) });
        const otherSubject = await subjectOf(client, other.pinned);
        const moved = JSON.parse(Buffer.from(fetched.bytes).toString()) as { subject: Descriptor };
        moved.subject = { mediaType: otherSubject.descriptor.mediaType, digest: otherSubject.descriptor.digest, size: otherSubject.descriptor.size };
        await client.pushManifest(otherSubject.reference, Buffer.from(JSON.stringify(moved)), { signal: AbortSignal.timeout(30_000), mediaType: OCI_MANIFEST });
        assertRejected(await verifier.verify(otherSubject, contextFor(client)), 'SUBJECT_MISMATCH', /^content descriptor mismatch/);
        // notation agrees.
        const refused = await notation('verify', '--insecure-registry', other.pinned);
        assert.notEqual(refused.code, 0);

        // Two signatures, neither trusted: with a limit of one, evaluation stops (notation --max-signatures).
        assert.equal((await notation('sign', '--insecure-registry', ...storeFlags, '--signature-format', 'cose', jws.pinned)).code, 0);
        const limited = createNotationVerifier({ trustPolicy: policy(['ca:other.test'], ['*']), trustStore, maxSignatureAttempts: 1 });
        const stopped = await limited.verify(jwsSubject, contextFor(client));
        assertRejected(stopped, 'TOO_MANY_SIGNATURES', /^signature evaluation stopped\. The configured limit of 1 signatures to verify per artifact exceeded$/);
        assert.equal(stopped.outcome === 'rejected' ? stopped.attempts[0]?.code : '', 'SIGNER_UNTRUSTED');
        const both = await wrongStore.verify(jwsSubject, contextFor(client));
        assertRejected(both, 'SIGNER_UNTRUSTED', /^signature verification failed for all the signatures associated with/);
        assert.equal(both.outcome === 'rejected' ? both.attempts.length : 0, 2);
      } finally {
        await client.close();
      }
    });
  }

  for (const kind of ['distribution', 'zot'] as const satisfies readonly RegistryKind[]) {
    it(`signs like notation on ${kind}: notation verify accepts bob's JWS and COSE signatures, and so does bob`, async () => {
      const { reg, home, notation, storeFlags, trustStore } = await setUp(kind);
      writeFileSync(join(home, 'trustpolicy.json'), policy(['ca:bob.test'], [IDENTITY]));
      assert.equal((await notation('policy', 'import', '--force', 'trustpolicy.json')).code, 0);
      const localKeys = join(home, '.config', 'notation', 'localkeys');
      const notationKey = readFileSync(join(localKeys, 'bob.test.key'));
      const notationCert = readFileSync(join(localKeys, 'bob.test.crt'));
      const reference = await pushTestImage(reg, home, 'verify/notation-bob', 'reference', 'reference content\n');
      assert.equal((await notation('sign', '--insecure-registry', ...storeFlags, reference.pinned)).code, 0);
      const client = clientFor(reg);
      try {
        const verifier = createNotationVerifier({ trustPolicy: policy(['ca:bob.test'], [IDENTITY]), trustStore });
        for (const signatureFormat of ['jws', 'cose'] as const) {
          const image = await pushTestImage(reg, home, 'verify/notation-bob', signatureFormat, `${signatureFormat} by bob\n`);
          const subject = await subjectOf(client, image.pinned);
          const signed = await signNotation({
            client, signal: AbortSignal.timeout(30_000), subject, notationKey, notationCert, signatureFormat,
            userMetadata: { purpose: 'interop' }, signingAgent: 'bob/test',
          });
          const accepted = await notation('verify', '--insecure-registry', image.pinned);
          assert.equal(accepted.code, 0, accepted.stdout);
          assert.match(accepted.stdout, /Successfully verified signature/);
          const metadata = await notation('verify', '--insecure-registry', '--user-metadata', 'purpose=interop', image.pinned);
          assert.equal(metadata.code, 0);
          const verdict = await verifier.verify(subject, contextFor(client));
          assert.ok(verdict.outcome === 'verified', JSON.stringify(verdict));
          assert.equal(verdict.signatures[0]?.source, `referrer ${signed.descriptor.digest}`);
          assert.equal(verdict.signatures[0].format, `notation-${signatureFormat}`);
        }
        // Byte shapes: bob's signature manifest has the members, config and annotations notation 1.3.2 writes.
        const shapeOf = async (pinned: string): Promise<unknown> => {
          const subject = await subjectOf(client, pinned);
          const [descriptor] = await client.listReferrers(subject.reference, subject.descriptor.digest, { signal: AbortSignal.timeout(30_000) });
          assert.ok(descriptor !== undefined);
          const fetched = await client.fetchManifestByDescriptor(subject.reference, descriptor, { signal: AbortSignal.timeout(30_000) });
          const manifest = JSON.parse(Buffer.from(fetched.bytes).toString()) as Record<string, unknown> & { config: unknown; annotations: Record<string, string>; layers: { mediaType: string }[] };
          return { keys: Object.keys(manifest), config: manifest.config, annotations: Object.keys(manifest.annotations), thumbprints: manifest.annotations['io.cncf.notary.x509chain.thumbprint#S256'], layer: manifest.layers[0]?.mediaType };
        };
        assert.deepEqual(await shapeOf(`${reg.host}/verify/notation-bob@${(await subjectOf(client, `${reg.host}/verify/notation-bob:jws`)).descriptor.digest}`), await shapeOf(reference.pinned));
      } finally {
        await client.close();
      }
    });
  }
});
