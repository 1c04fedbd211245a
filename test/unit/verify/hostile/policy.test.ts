// Hostile inputs against the containers-policy.json provider
// (research/signatures.md §1; research/reliability.md §6 rows 28, 31, 32,
// 35): a signature whose docker-reference does not satisfy each
// signedIdentity rule (sigstoreSigned and signedBy), certificates outside
// their validity or with unknown critical extensions, strict policy bytes.
// Every case asserts the rejection code AND reason.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { generateKey } from 'openpgp';
import { isBobError } from '../../../../src/shared/index.ts';
import { isRejectionError } from '../../../../src/verify/errors.ts';
import { toCanonicalJson } from '../../../../src/verify/policy/canonical-json.ts';
import { parseNormalizedNamed } from '../../../../src/verify/policy/docker-reference.ts';
import { parsePolicy, parseRegistriesD } from '../../../../src/verify/policy/index.ts';
import { acceptSimpleSignature, prepareSignedByTrust } from '../../../../src/verify/policy/signed-by.ts';
import { acceptSigstoreSignature, prepareSigstoreTrust, type SigstoreTrust } from '../../../../src/verify/policy/sigstore-signed.ts';
import { signSimpleSigning } from '../../../../src/verify/simple-signing/index.ts';
import {
  basicConstraints, buildCertificate, extKeyUsage, issuerExtensions, keyUsage, OID, subjectAltName, toPem, type Extension,
} from '../../../fixtures/sigstore/certificates.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const OTHER_DIGEST = `sha256:${'cd'.repeat(32)}`;
const b64 = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64');
const noFiles = (): Promise<Uint8Array> => Promise.reject(new Error('no files in this test'));
const ec = (): { publicKey: KeyObject; privateKey: KeyObject } => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pemOf = (key: KeyObject): string => key.export({ type: 'spki', format: 'pem' }).toString();

function cosignPayload(reference: string, digest = DIGEST): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({
    critical: { identity: { 'docker-reference': reference }, image: { 'docker-manifest-digest': digest }, type: 'cosign container image signature' }, optional: null,
  }));
}

function rejectsWith(run: () => unknown, code: string, message: string | RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(isRejectionError(error), String(error));
    assert.equal(error.code, code, error.message);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

async function rejectsWithAsync(promise: Promise<unknown>, code: string, message: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isRejectionError(error), String(error));
    assert.equal(error.code, code, error.message);
    assert.equal(error.message, message);
    return true;
  });
}

/**
 * For each signedIdentity rule: the image being verified, a docker-reference
 * the rule accepts (control) and one it must refuse.
 */
const IDENTITY_CASES: readonly { identity: Record<string, string>; image: string; accepted: string; refused: string }[] = [
  { identity: { type: 'matchExact' }, image: 'registry.example/team/app:v1', accepted: 'registry.example/team/app:v1', refused: 'registry.example/team/app:v2' },
  { identity: { type: 'matchExact' }, image: 'registry.example/team/app:v1', accepted: 'registry.example/team/app:v1', refused: 'registry.example/team/app' },
  { identity: { type: 'matchRepoDigestOrExact' }, image: 'registry.example/team/app:v1', accepted: 'registry.example/team/app:v1', refused: 'registry.example/team/app:latest' },
  { identity: { type: 'matchRepoDigestOrExact' }, image: `registry.example/team/app@${DIGEST}`, accepted: 'registry.example/team/app:any', refused: 'registry.example/team/other:any' },
  { identity: { type: 'matchRepository' }, image: 'registry.example/team/app:v1', accepted: 'registry.example/team/app:v9', refused: 'registry.example/team/app-evil:v1' },
  { identity: { type: 'matchRepository' }, image: 'registry.example/team/app:v1', accepted: 'registry.example/team/app', refused: 'evil.example/team/app:v1' },
  { identity: { type: 'exactReference', dockerReference: 'registry.example/team/app:v1' }, image: 'registry.example/team/app:v1', accepted: 'registry.example/team/app:v1', refused: 'registry.example/team/app:v2' },
  { identity: { type: 'exactRepository', dockerRepository: 'registry.example/team/app' }, image: 'registry.example/team/app:v1', accepted: 'registry.example/team/app:v7', refused: 'registry.example/team/ap:v7' },
  { identity: { type: 'remapIdentity', prefix: 'mirror.example/team', signedPrefix: 'registry.example/team' }, image: 'mirror.example/team/app:v1', accepted: 'registry.example/team/app:v1', refused: 'mirror.example/team/app:v1' },
  { identity: { type: 'remapIdentity', prefix: 'mirror.example/team', signedPrefix: 'registry.example/team' }, image: 'mirror.example/team/app:v1', accepted: 'registry.example/team/app:v1', refused: 'registry.example/teamx/app:v1' },
];

describe('hostile inputs: containers-policy.json', () => {
  describe('a docker-reference the signedIdentity rule refuses: IDENTITY_MISMATCH (sigstoreSigned)', () => {
    const signer = ec();
    for (const { identity, image, accepted, refused } of IDENTITY_CASES) {
      it(`${identity['type'] ?? ''}: ${image} signed as ${refused}`, async () => {
        const requirement = parsePolicy(JSON.stringify({ default: [{ type: 'sigstoreSigned', keyData: b64(pemOf(signer.publicKey)), signedIdentity: identity }] })).default[0];
        assert.ok(requirement?.type === 'sigstoreSigned');
        const trust = await prepareSigstoreTrust(requirement, noFiles);
        const expected = { digest: DIGEST, intended: parseNormalizedNamed(image), now: new Date() };
        const signature = (reference: string) => {
          const payload = cosignPayload(reference);
          return { source: 's', payload, annotations: { 'dev.cosignproject.cosign/signature': b64(sign('sha256', payload, signer.privateKey)) } };
        };
        assert.match(acceptSigstoreSignature(trust, signature(accepted), expected).signer, /^key SHA256:/);
        rejectsWith(() => acceptSigstoreSignature(trust, signature(refused), expected), 'IDENTITY_MISMATCH', `Signature for identity ${JSON.stringify(refused)} is not accepted`);
      });
    }
  });

  describe('a docker-reference the signedIdentity rule refuses: IDENTITY_MISMATCH (signedBy GPG)', function () {
    this.timeout(60_000);
    let armoredPrivate = '';
    let armoredPublic = '';
    before(async () => {
      const { privateKey, publicKey } = await generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name: 'policy signer' }], date: new Date(Date.now() - 3_600_000), format: 'armored' });
      armoredPrivate = privateKey;
      armoredPublic = publicKey;
    });

    for (const { identity, image, accepted, refused } of IDENTITY_CASES) {
      it(`${identity['type'] ?? ''}: ${image} signed as ${refused}`, async () => {
        const requirement = parsePolicy(JSON.stringify({ default: [{ type: 'signedBy', keyType: 'GPGKeys', keyData: b64(armoredPublic), signedIdentity: identity }] })).default[0];
        assert.ok(requirement?.type === 'signedBy');
        const trust = await prepareSignedByTrust(requirement, noFiles);
        const expected = { digest: DIGEST, intended: parseNormalizedNamed(image), now: new Date() };
        const blob = async (reference: string) => signSimpleSigning({ manifestDigest: DIGEST, dockerReference: reference, privateKeyArmored: armoredPrivate, now: new Date(Date.now() - 60_000) });
        assert.match((await acceptSimpleSignature(trust, await blob(accepted), expected)).signer, /^GPG [0-9A-F]{40}$/);
        await rejectsWithAsync(acceptSimpleSignature(trust, await blob(refused), expected), 'IDENTITY_MISMATCH', `Signature for identity ${JSON.stringify(refused)} is not accepted`);
      });
    }

    it('a GPG signature for another digest: SUBJECT_MISMATCH before the identity is looked at (row 28)', async () => {
      const requirement = parsePolicy(JSON.stringify({ default: [{ type: 'signedBy', keyType: 'GPGKeys', keyData: b64(armoredPublic), signedIdentity: { type: 'matchRepository' } }] })).default[0];
      assert.ok(requirement?.type === 'signedBy');
      const trust = await prepareSignedByTrust(requirement, noFiles);
      const blob = await signSimpleSigning({ manifestDigest: OTHER_DIGEST, dockerReference: 'evil.example/x:y', privateKeyArmored: armoredPrivate, now: new Date(Date.now() - 60_000) });
      await rejectsWithAsync(acceptSimpleSignature(trust, blob, { digest: DIGEST, intended: parseNormalizedNamed('registry.example/team/app:v1'), now: new Date() }),
        'SUBJECT_MISMATCH', `Signature for digest ${OTHER_DIGEST} does not match`);
    });

    it('an unknown signer is SIGNER_UNTRUSTED; the unimplemented key types reject every signature (row 32)', async () => {
      const { publicKey: strangerPublic } = await generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name: 'stranger' }], date: new Date(Date.now() - 3_600_000), format: 'armored' });
      const requirement = parsePolicy(JSON.stringify({ default: [{ type: 'signedBy', keyType: 'GPGKeys', keyData: b64(strangerPublic), signedIdentity: { type: 'matchRepository' } }] })).default[0];
      assert.ok(requirement?.type === 'signedBy');
      const blob = await signSimpleSigning({ manifestDigest: DIGEST, dockerReference: 'registry.example/team/app:v1', privateKeyArmored: armoredPrivate, now: new Date(Date.now() - 60_000) });
      const expected = { digest: DIGEST, intended: parseNormalizedNamed('registry.example/team/app:v1'), now: new Date() };
      await assert.rejects(acceptSimpleSignature(await prepareSignedByTrust(requirement, noFiles), blob, expected),
        (error: unknown) => isRejectionError(error) && error.code === 'SIGNER_UNTRUSTED' && /^signed by key ID [0-9A-F]{16}, which is not in the trusted keyring$/.test(error.message));
      const x509 = parsePolicy(JSON.stringify({ default: [{ type: 'signedBy', keyType: 'X509Certificates', keyData: b64('x'), signedIdentity: { type: 'matchRepository' } }] })).default[0];
      assert.ok(x509?.type === 'signedBy');
      await rejectsWithAsync(acceptSimpleSignature(await prepareSignedByTrust(x509, noFiles), blob, expected), 'SIGNER_UNTRUSTED', 'Unimplemented "keyType" value "X509Certificates"');
    });

    it('a garbage GPG key in keyData is CONFIG_INVALID naming the field (row 32)', async () => {
      const requirement = parsePolicy(JSON.stringify({ default: [{ type: 'signedBy', keyType: 'GPGKeys', keyData: b64('garbage'), signedIdentity: { type: 'matchRepository' } }] })).default[0];
      assert.ok(requirement?.type === 'signedBy');
      await assert.rejects(prepareSignedByTrust(requirement, noFiles),
        (error: unknown) => isBobError(error, 'CONFIG_INVALID') && error.message === 'policy.json default[0]: the GPG keys cannot be loaded');
    });
  });

  describe('certificates (sigstoreSigned fulcio and pki)', () => {
    const minutes = (date: Date, count: number): Date => new Date(date.getTime() + count * 60_000);
    const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
    const ISSUER = 'https://oidc.example';
    const EMAIL = 'builder@example.com';
    const root = ec();
    const leafKey = ec();
    const rekor = ec();
    const rootPem = toPem(buildCertificate({
      subject: 'root', issuer: 'root', serial: 1n, notBefore: minutes(NOW, -60 * 24), notAfter: minutes(NOW, 60 * 24 * 365),
      publicKey: root.publicKey, signingKey: root.privateKey, extensions: [basicConstraints(true), keyUsage(true)],
    }));
    const UNKNOWN_CRITICAL: Extension = { oid: '1.2.3.4.5', critical: true, value: Buffer.from([0x05, 0x00]) };
    const leafPem = (options: { notBefore?: Date; notAfter?: Date; extra?: Extension[] } = {}): string => toPem(buildCertificate({
      subject: '', issuer: 'root', serial: 3n, notBefore: options.notBefore ?? minutes(NOW, -5), notAfter: options.notAfter ?? minutes(NOW, 5),
      publicKey: leafKey.publicKey, signingKey: root.privateKey, issuerPublicKey: root.publicKey,
      extensions: [keyUsage(false), extKeyUsage(OID.codeSigning), subjectAltName([{ email: EMAIL }], true), ...issuerExtensions(ISSUER), ...(options.extra ?? [])],
    }));
    const payload = cosignPayload('registry.example/team/app');
    const signatureOver = sign('sha256', payload, leafKey.privateKey);
    const setFor = (certificatePem: string, integrated: Date): string => {
      const body = {
        apiVersion: '0.0.1', kind: 'hashedrekord',
        spec: {
          data: { hash: { algorithm: 'sha256', value: createHash('sha256').update(payload).digest('hex') } },
          signature: { content: b64(signatureOver), publicKey: { content: b64(certificatePem) } },
        },
      };
      const setPayload = { body: b64(JSON.stringify(body)), integratedTime: Math.floor(integrated.getTime() / 1000), logIndex: 7, logID: 'ab' };
      return JSON.stringify({ SignedEntryTimestamp: b64(sign('sha256', toCanonicalJson(setPayload), rekor.privateKey)), Payload: setPayload });
    };
    const signature = (certificatePem: string, integrated = NOW) => ({
      source: 's', payload,
      annotations: {
        'dev.cosignproject.cosign/signature': b64(signatureOver), 'dev.sigstore.cosign/certificate': certificatePem,
        'dev.sigstore.cosign/bundle': setFor(certificatePem, integrated),
      },
    });
    const trustOf = async (fields: Record<string, unknown>): Promise<SigstoreTrust> => {
      const requirement = parsePolicy(JSON.stringify({ default: [{ type: 'sigstoreSigned', signedIdentity: { type: 'matchRepository' }, ...fields }] })).default[0];
      assert.ok(requirement?.type === 'sigstoreSigned');
      return prepareSigstoreTrust(requirement, noFiles);
    };
    const fulcio = () => trustOf({ fulcio: { caData: b64(rootPem), oidcIssuer: ISSUER, subjectEmail: EMAIL }, rekorPublicKeyData: b64(pemOf(rekor.publicKey)) });
    const pki = () => trustOf({ pki: { caRootsData: b64(rootPem), subjectEmail: EMAIL } });
    const expected = (now = NOW) => ({ digest: DIGEST, intended: parseNormalizedNamed('registry.example/team/app:v1'), now });

    it('controls: a good leaf verifies under fulcio and pki', async () => {
      assert.equal(acceptSigstoreSignature(await fulcio(), signature(leafPem()), expected()).signer, `${EMAIL} (issuer ${ISSUER})`);
      assert.equal(acceptSigstoreSignature(await pki(), signature(leafPem()), expected()).signer, `certificate ${EMAIL}`);
    });

    it('an unknown critical extension in the leaf: CERTIFICATE_INVALID naming it (fulcio and pki)', () => {
      const pem = leafPem({ extra: [UNKNOWN_CRITICAL] });
      rejectsWith(() => acceptSigstoreSignature(fulcioTrust, signature(pem), expected()), 'CERTIFICATE_INVALID', /unhandled critical extension 1\.2\.3\.4\.5/);
      rejectsWith(() => acceptSigstoreSignature(pkiTrust, signature(pem), expected()), 'CERTIFICATE_INVALID', /unhandled critical extension 1\.2\.3\.4\.5/);
      // The same extension, not critical, is fine (Go ignores unknown non-critical extensions).
      assert.equal(acceptSigstoreSignature(pkiTrust, signature(leafPem({ extra: [{ ...UNKNOWN_CRITICAL, critical: false }] })), expected()).signer, `certificate ${EMAIL}`);
    });

    it('expired and not-yet-valid leaves: CERTIFICATE_EXPIRED at the integrated time (fulcio) or now (pki)', () => {
      const expired = leafPem({ notBefore: minutes(NOW, -30), notAfter: minutes(NOW, -10) });
      const future = leafPem({ notBefore: minutes(NOW, 10), notAfter: minutes(NOW, 30) });
      for (const pem of [expired, future]) {
        rejectsWith(() => acceptSigstoreSignature(fulcioTrust, signature(pem), expected()), 'CERTIFICATE_EXPIRED', `verifying leaf certificate failed: certificate has expired or is not yet valid at ${NOW.toISOString()}`);
        rejectsWith(() => acceptSigstoreSignature(pkiTrust, signature(pem), expected()), 'CERTIFICATE_EXPIRED', `verifying leaf certificate failed: certificate has expired or is not yet valid at ${NOW.toISOString()}`);
      }
      // fulcio judges at the SET's integrated time: an expired-now leaf logged while valid still counts.
      assert.equal(acceptSigstoreSignature(fulcioTrust, signature(expired, minutes(NOW, -20)), expected()).signer, `${EMAIL} (issuer ${ISSUER})`);
    });

    let fulcioTrust: SigstoreTrust;
    let pkiTrust: SigstoreTrust;
    before(async () => {
      fulcioTrust = await fulcio();
      pkiTrust = await pki();
    });
  });

  describe('strict policy bytes', () => {
    it('keyData in non-canonical base64 is CONFIG_INVALID naming the field', () => {
      const pem = b64(pemOf(ec().publicKey));
      for (const keyData of [pem.replace(/=+$/, '') === pem ? `${pem}=` : pem.replace(/=+$/, ''), `${pem.slice(0, 8)}\n${pem.slice(8)}`, `${pem.slice(0, 8)}!${pem.slice(8)}`]) {
        assert.throws(() => parsePolicy(JSON.stringify({ default: [{ type: 'sigstoreSigned', keyData, signedIdentity: { type: 'matchRepository' } }] })),
          (error: unknown) => isBobError(error, 'CONFIG_INVALID') && error.message.includes('default[0].keyData'), keyData.slice(0, 20));
      }
    });

    it('a duplicate key inside a requirement or a signedIdentity is CONFIG_INVALID naming it', () => {
      for (const [text, key] of [
        ['{"default":[{"type":"sigstoreSigned","keyData":"AAAA","keyData":"AAAA","signedIdentity":{"type":"matchRepository"}}]}', 'keyData'],
        ['{"default":[{"type":"signedBy","keyType":"GPGKeys","keyData":"AAAA","signedIdentity":{"type":"matchExact","type":"matchRepository"}}]}', 'type'],
      ] as const) {
        assert.throws(() => parsePolicy(text), (error: unknown) => isBobError(error, 'CONFIG_INVALID') && error.message.includes(`duplicate key "${key}"`));
      }
    });

    it('registries.d: a duplicate YAML key, at the top or nested, is CONFIG_INVALID "invalid YAML" (yaml.v3 refuses it too)', () => {
      for (const text of ['default-docker:\n  lookaside: https://a.example\n  lookaside: https://b.example\n', 'docker: {}\ndocker: {}\n']) {
        assert.throws(() => parseRegistriesD([{ name: 'x.yaml', text }]), (error: unknown) => isBobError(error, 'CONFIG_INVALID') && error.message.includes('invalid YAML'), text);
      }
    });
  });
});
