// bob's cosign provider against signatures made by the real cosign 2 and 3
// CLIs on real registries (distribution: referrers tag fallback; olareg:
// the referrers API): keyed legacy `.sig`, cosign 3 bundles (default) and
// legacy format, attestations of two predicate types, keyless signatures
// from the test PKI (certificate + RFC 3161 timestamp), and tampered copies.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OCI_MANIFEST, RegistryClient } from '../../../src/oci/index.ts';
import {
  createCosignVerifier, DEFAULT_VERIFY_LIMITS, type CosignVerifierOptions, type Rejected, type Verdict, type VerificationSubject,
  type Verified, type VerifyLimits,
} from '../../../src/verify/index.ts';
import { toAttachmentTag } from '../../../src/verify/attachments.ts';
import { registry, scratchDir } from '../../env/environment.ts';
import { pushTestImage, type PushedImage } from '../../env/fixtures.ts';
import { isolatedEnv } from '../../env/peers.ts';
import type { Registry, RegistryKind } from '../../env/registries.ts';
import { run } from '../../env/run.ts';
import { toolPath } from '../../env/tools.ts';
import { toPem } from '../../fixtures/sigstore/certificates.ts';
import { createTestPki } from '../../fixtures/sigstore/pki.ts';
import { createTestTsa } from '../../fixtures/sigstore/tsa.ts';

const PASSWORD = 'bob-test-passphrase';
const ISSUER = 'https://issuer.bob.test';

function clientFor(reg: Registry): RegistryClient {
  return new RegistryClient({ hosts: { [reg.host]: { plainHttp: !reg.tls } } });
}

async function subjectOf(client: RegistryClient, reg: Registry, image: PushedImage): Promise<VerificationSubject> {
  const tag = image.ref.slice(image.ref.lastIndexOf(':') + 1);
  const reference = { registry: reg.host, repository: image.repository, tag };
  const fetched = await client.fetchManifest(reference, { signal: AbortSignal.timeout(30_000) });
  return { reference, descriptor: fetched.descriptor };
}

function verifyWith(client: RegistryClient, options: CosignVerifierOptions, subject: VerificationSubject, limits: Partial<VerifyLimits> = {}): Promise<Verdict> {
  return createCosignVerifier(options).verify(subject, {
    client, signal: AbortSignal.timeout(60_000), now: () => new Date(), limits: { ...DEFAULT_VERIFY_LIMITS, ...limits },
  });
}

function assertVerified(verdict: Verdict): Verified {
  assert.equal(verdict.outcome, 'verified', JSON.stringify(verdict));
  return verdict;
}

function assertRejected(verdict: Verdict, code: string, reason = 'no matching signatures were found'): Rejected {
  assert.equal(verdict.outcome, 'rejected', JSON.stringify(verdict));
  const rejected: Rejected = verdict;
  assert.equal(rejected.code, code, JSON.stringify(rejected.attempts));
  assert.equal(rejected.reason, reason);
  return rejected;
}

describe('verify: cosign provider against the cosign CLIs', function () {
  this.timeout(180_000);

  for (const kind of ['distribution', 'olareg'] as const satisfies readonly RegistryKind[]) {
    it(`verifies keyed signatures and attestations of cosign 2 and 3 on ${kind}, and rejects tampered ones`, async () => {
      const reg = await registry({ kind });
      const client = clientFor(reg);
      const home = scratchDir('cosign-verify');
      const env = isolatedEnv(home, { COSIGN_PASSWORD: PASSWORD, SIGSTORE_NO_CACHE: '1', TUF_ROOT: join(home, 'tuf') });
      const cosign = async (tool: 'cosign2' | 'cosign3', ...args: string[]): Promise<void> => {
        const offline = tool === 'cosign3' && ['sign', 'attest'].includes(args[0] ?? '') ? ['--use-signing-config=false'] : [];
        await run(toolPath(tool), [...args, ...offline], { env, cwd: home });
      };
      try {
        const repo = `verify/cosign-${kind}`;
        const [legacy2, bundle3, legacy3, unsigned, copied] = await Promise.all(['legacy2', 'bundle3', 'legacy3', 'unsigned', 'copied']
          .map(async (tag) => pushTestImage(reg, scratchDir('cosign-image'), repo, tag, `content of ${tag}\n`)));
        if (legacy2 === undefined || bundle3 === undefined || legacy3 === undefined || unsigned === undefined || copied === undefined) throw new Error('images');
        await cosign('cosign2', 'generate-key-pair');
        writeFileSync(join(home, 'predicate.json'), '{"purpose":"bob test"}');
        writeFileSync(join(home, 'provenance.json'), '{"builder":{"id":"https://bob.test/builder"},"buildType":"https://bob.test/build"}');
        const sign = ['--key', 'cosign.key', '--tlog-upload=false', '--allow-http-registry', '--yes'];
        await cosign('cosign2', 'sign', ...sign, legacy2.pinned);
        await cosign('cosign3', 'sign', ...sign, bundle3.pinned);
        await cosign('cosign3', 'sign', ...sign, '--new-bundle-format=false', legacy3.pinned);
        await cosign('cosign2', 'attest', ...sign, '--type', 'custom', '--predicate', 'predicate.json', legacy2.pinned);
        await cosign('cosign2', 'attest', ...sign, '--type', 'slsaprovenance', '--predicate', 'provenance.json', legacy2.pinned);
        await cosign('cosign3', 'attest', ...sign, '--type', 'custom', '--predicate', 'predicate.json', bundle3.pinned);
        await cosign('cosign3', 'attest', ...sign, '--type', 'slsaprovenance', '--predicate', 'provenance.json', bundle3.pinned);

        const keys = { publicKeys: [{ name: 'cosign.pub', pem: readFileSync(join(home, 'cosign.pub'), 'utf8') }], ignoreTlog: true };
        const subjects = {
          legacy2: await subjectOf(client, reg, legacy2), bundle3: await subjectOf(client, reg, bundle3), legacy3: await subjectOf(client, reg, legacy3),
          unsigned: await subjectOf(client, reg, unsigned), copied: await subjectOf(client, reg, copied),
        };
        for (const [name, format] of [['legacy2', 'cosign-legacy'], ['bundle3', 'cosign-bundle'], ['legacy3', 'cosign-legacy']] as const) {
          const verified = assertVerified(await verifyWith(client, keys, subjects[name]));
          const [first] = verified.signatures;
          assert.equal(first?.format, format, name);
          assert.match(first.signer, /^key cosign\.pub \(sha256:[0-9a-f]{64}\)$/);
        }
        for (const name of ['legacy2', 'bundle3'] as const) {
          const verified = assertVerified(await verifyWith(client, { ...keys, attestations: ['custom', 'slsaprovenance'] }, subjects[name]));
          assert.deepEqual(verified.signatures.map((s) => s.predicateType).filter((t) => t !== undefined).sort(),
            ['https://cosign.sigstore.dev/attestation/v1', 'https://slsa.dev/provenance/v0.2'], name);
          // An attestation of another type never satisfies a demanded one (CVE-2022-35929).
          const missing = await verifyWith(client, { ...keys, attestations: ['cyclonedx'] }, subjects[name]);
          assertRejected(missing, 'ATTESTATION_MISSING', 'no matching attestations of type https://cyclonedx.org/bom were found');
        }

        // Nothing signed at all.
        assert.deepEqual(assertRejected(await verifyWith(client, keys, subjects.unsigned), 'NO_SIGNATURES').attempts, []);
        // Another key.
        await run(toolPath('cosign2'), ['generate-key-pair', '--output-key-prefix', 'other'], { env, cwd: home });
        const otherKey = { publicKeys: [{ name: 'other.pub', pem: readFileSync(join(home, 'other.pub'), 'utf8') }], ignoreTlog: true };
        assertRejected(await verifyWith(client, otherKey, subjects.legacy2), 'SIGNATURE_INVALID');
        assertRejected(await verifyWith(client, otherKey, subjects.bundle3), 'SIGNER_UNTRUSTED');
        // cosign's default requires the tlog, which these offline signatures lack.
        const pki = createTestPki();
        assertRejected(await verifyWith(client, { ...keys, ignoreTlog: false, trustedRoot: pki.trustedRoot() }, subjects.legacy2), 'TLOG_INVALID');
        // A valid signature copied to another image's .sig tag signs the wrong digest.
        const sigTag = toAttachmentTag(legacy2.digest, 'sig');
        const signatures = await client.fetchManifest({ registry: reg.host, repository: repo, tag: sigTag }, { signal: AbortSignal.timeout(30_000) });
        await client.pushManifest({ registry: reg.host, repository: repo }, signatures.bytes, {
          signal: AbortSignal.timeout(30_000), mediaType: OCI_MANIFEST, reference: toAttachmentTag(copied.digest, 'sig'),
        });
        const transplanted = assertRejected(await verifyWith(client, keys, subjects.copied), 'SUBJECT_MISMATCH');
        assert.equal(transplanted.attempts[0]?.reason, `payload signs ${legacy2.digest}, not ${copied.digest}`);
        // Caps: more signatures than allowed, a blob larger than allowed.
        assertRejected(await verifyWith(client, keys, subjects.legacy2, { signatures: 0 }), 'TOO_MANY_SIGNATURES', `${sigTag} has 1 signatures, more than the limit of 0`);
        const large = assertRejected(await verifyWith(client, keys, subjects.legacy2, { signatureBytes: 16 }), 'SIGNATURE_TOO_LARGE');
        assert.match(large.attempts[0]?.reason ?? '', /more than the limit of 16/);
      } finally {
        await client.close();
      }
    });
  }

  for (const kind of ['distribution', 'olareg'] as const satisfies readonly RegistryKind[]) {
    it(`verifies keyless signatures from the test PKI like cosign 3 does on ${kind}`, async () => {
      const reg = await registry({ kind });
      const client = clientFor(reg);
      const home = scratchDir('cosign-keyless');
      const env = isolatedEnv(home, { COSIGN_PASSWORD: PASSWORD, SIGSTORE_NO_CACHE: '1', TUF_ROOT: join(home, 'tuf') });
      const pki = createTestPki();
      const tsa = createTestTsa(pki, scratchDir('cosign-tsa'));
      try {
        const leaf = pki.issueLeaf({ sans: [{ email: 'dev@corp.com' }], issuer: ISSUER });
        writeFileSync(join(home, 'leaf.key'), toPem(leaf.privateKey.export({ type: 'pkcs8', format: 'der' }), 'PRIVATE KEY'));
        writeFileSync(join(home, 'leaf.pem'), leaf.pem);
        writeFileSync(join(home, 'chain.pem'), pki.chainPem);
        writeFileSync(join(home, 'trusted_root.json'), JSON.stringify(pki.trustedRoot()));
        const url = await tsa.serve();
        const cosign3 = async (args: string[], allowFailure = false) =>
          run(toolPath('cosign3'), args, { env: { ...env, SIGSTORE_ROOT_FILE: join(home, 'chain.pem') }, cwd: home, allowFailure });
        await cosign3(['import-key-pair', '--key', 'leaf.key', '--output-key-prefix', 'leaf-cosign']);
        const repo = `verify/keyless-${kind}`;
        const bundled = await pushTestImage(reg, scratchDir('cosign-image'), repo, 'bundle');
        const legacy = await pushTestImage(reg, scratchDir('cosign-image'), repo, 'legacy', 'legacy content\n');
        const sign = ['sign', '--key', 'leaf-cosign.key', '--certificate', 'leaf.pem', '--certificate-chain', 'chain.pem', '--tlog-upload=false',
          '--timestamp-server-url', url, '--use-signing-config=false', '--allow-http-registry', '--yes'];
        await cosign3([...sign, bundled.pinned]);
        await cosign3([...sign, '--new-bundle-format=false', legacy.pinned]);

        const verifyFlags = (identity: string) => ['verify', '--trusted-root', 'trusted_root.json', '--certificate-identity-regexp', identity,
          '--certificate-oidc-issuer', ISSUER, '--insecure-ignore-tlog', '--insecure-ignore-sct', '--allow-certificate-chain', '--allow-http-registry'];
        const options = (subjectRegExp: string): CosignVerifierOptions => ({
          keyless: { identities: [{ subjectRegExp, issuer: ISSUER }] }, trustedRoot: pki.trustedRoot(),
          ignoreTlog: true, ignoreSct: true, allowCertificateChain: true,
        });
        for (const [image, format] of [[bundled, 'cosign-bundle'], [legacy, 'cosign-legacy']] as const) {
          const accepted = await cosign3([...verifyFlags('.*@corp.com'), image.pinned], true);
          assert.equal(accepted.code, 0, `cosign verify ${format}: ${accepted.stderr}`);
          const verified = assertVerified(await verifyWith(client, options('.*@corp\\.com'), await subjectOf(client, reg, image)));
          const [first] = verified.signatures;
          assert.equal(first?.format, format);
          assert.equal(first.signer, `dev@corp.com (issuer ${ISSUER})`);
          assert.ok(first.signedAt instanceof Date, 'the TSA time is reported');
          // Both refuse another identity.
          assert.notEqual((await cosign3([...verifyFlags('ops@corp.com'), image.pinned], true)).code, 0);
          assertRejected(await verifyWith(client, options('ops@corp\\.com'), await subjectOf(client, reg, image)), 'IDENTITY_MISMATCH');
        }
        // cosign 3 writes the chain into the v0.3 bundle; like cosign, bob refuses it unless allowed.
        assert.notEqual((await cosign3([...verifyFlags('.*@corp.com').filter((f) => f !== '--allow-certificate-chain'), bundled.pinned], true)).code, 0);
        assertRejected(await verifyWith(client, { ...options('.*@corp\\.com'), allowCertificateChain: false }, await subjectOf(client, reg, bundled)), 'CERTIFICATE_INVALID');
      } finally {
        await tsa.close();
        await client.close();
      }
    });
  }
});
