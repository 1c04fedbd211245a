// sigstoreSigned's fulcio and pki variants on certificates built in-process:
// SET over the certificate, chain at the SET's integrated time (fulcio) or
// now (pki), chain annotation minus its last certificate, issuer and email,
// hostname, EKU (research/signatures.md §1.6).
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { isRejectionError } from '../../../../src/verify/errors.ts';
import { toCanonicalJson } from '../../../../src/verify/policy/canonical-json.ts';
import { parseNormalizedNamed } from '../../../../src/verify/policy/docker-reference.ts';
import { parsePolicy } from '../../../../src/verify/policy/index.ts';
import {
  acceptSigstoreSignature, prepareSigstoreTrust, type SigstoreSignature, type SigstoreTrust,
} from '../../../../src/verify/policy/sigstore-signed.ts';
import {
  basicConstraints, buildCertificate, extKeyUsage, issuerExtensions, keyUsage, OID, subjectAltName, toPem, type Extension,
} from '../../../fixtures/sigstore/certificates.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const REPO = 'registry.example/team/app';
const INTEGRATED = 1_700_000_000;
const AT = new Date(INTEGRATED * 1000);
const ISSUER = 'https://oidc.example';
const EMAIL = 'builder@example.com';
const b64 = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64');
const ec = (): { publicKey: KeyObject; privateKey: KeyObject } => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const minutes = (date: Date, count: number): Date => new Date(date.getTime() + count * 60_000);

const root = ec();
const intermediate = ec();
const leafKey = ec();
const rekor = ec();
const rootPem = toPem(buildCertificate({
  subject: 'root', issuer: 'root', serial: 1n, notBefore: minutes(AT, -60 * 24 * 365), notAfter: minutes(AT, 60 * 24 * 365 * 20),
  publicKey: root.publicKey, signingKey: root.privateKey, extensions: [basicConstraints(true), keyUsage(true)],
}));
const intermediatePem = toPem(buildCertificate({
  subject: 'intermediate', issuer: 'root', serial: 2n, notBefore: minutes(AT, -60 * 24 * 365), notAfter: minutes(AT, 60 * 24 * 365 * 20),
  publicKey: intermediate.publicKey, signingKey: root.privateKey,
  issuerPublicKey: root.publicKey, extensions: [basicConstraints(true), keyUsage(true), extKeyUsage(OID.codeSigning)],
}));

function leafPem(options: { notBefore?: Date; notAfter?: Date; extensions?: Extension[] } = {}): string {
  return toPem(buildCertificate({
    subject: '', issuer: 'intermediate', serial: 3n, notBefore: options.notBefore ?? minutes(AT, -5), notAfter: options.notAfter ?? minutes(AT, 5),
    publicKey: leafKey.publicKey, signingKey: intermediate.privateKey, issuerPublicKey: intermediate.publicKey,
    extensions: options.extensions ?? [
      keyUsage(false), extKeyUsage(OID.codeSigning), subjectAltName([{ email: EMAIL }], true), ...issuerExtensions(ISSUER),
    ],
  }));
}

function payload(): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({
    critical: { identity: { 'docker-reference': REPO }, image: { 'docker-manifest-digest': DIGEST }, type: 'cosign container image signature' }, optional: null,
  }));
}

function setOver(certificatePem: string, signature: Uint8Array, signed: Uint8Array): string {
  const body = {
    apiVersion: '0.0.1', kind: 'hashedrekord',
    spec: {
      data: { hash: { algorithm: 'sha256', value: createHash('sha256').update(signed).digest('hex') } },
      signature: { content: b64(signature), publicKey: { content: b64(certificatePem) } },
    },
  };
  const setPayload = { body: b64(JSON.stringify(body)), integratedTime: INTEGRATED, logIndex: 7, logID: 'ab' };
  return JSON.stringify({ SignedEntryTimestamp: b64(sign('sha256', toCanonicalJson(setPayload), rekor.privateKey)), Payload: setPayload });
}

function fulcioSignature(certificatePem: string, chain: string | null = intermediatePem + rootPem): SigstoreSignature {
  const signed = payload();
  const signature = sign('sha256', signed, leafKey.privateKey);
  return {
    source: 'sig', payload: signed,
    annotations: {
      'dev.cosignproject.cosign/signature': b64(signature),
      'dev.sigstore.cosign/certificate': certificatePem,
      'dev.sigstore.cosign/bundle': setOver(certificatePem, signature, signed),
      ...(chain === null ? {} : { 'dev.sigstore.cosign/chain': chain }),
    },
  };
}

async function trust(fields: Record<string, unknown>): Promise<SigstoreTrust> {
  const requirement = parsePolicy(JSON.stringify({ default: [{ type: 'sigstoreSigned', signedIdentity: { type: 'matchRepository' }, ...fields }] })).default[0];
  assert.ok(requirement?.type === 'sigstoreSigned');
  return prepareSigstoreTrust(requirement, () => Promise.reject(new Error('no files')));
}

const expected = (now = new Date()) => ({ digest: DIGEST, intended: parseNormalizedNamed(`${REPO}:v1`), now });

function rejects(run: () => unknown, code: string, message: RegExp): void {
  assert.throws(run, (error: unknown) => isRejectionError(error) && error.code === code && message.test(error.message));
}

describe('verify/policy sigstoreSigned fulcio + Rekor', () => {
  const fulcio = (overrides: Record<string, string> = {}, roots = rootPem) => trust({
    fulcio: { caData: b64(roots), oidcIssuer: ISSUER, subjectEmail: EMAIL, ...overrides }, rekorPublicKeyData: b64(rekor.publicKey.export({ type: 'spki', format: 'pem' }).toString()),
  });

  it('accepts a certificate valid at the integrated time, though expired now', async () => {
    const accepted = acceptSigstoreSignature(await fulcio(), fulcioSignature(leafPem()), expected());
    assert.equal(accepted.signer, `${EMAIL} (issuer ${ISSUER})`);
    assert.equal(accepted.signedAt?.getTime(), AT.getTime());
  });

  it('needs the chain annotation unless the intermediate is trusted directly; the chain root is never used', () => {
    rejects(() => acceptSigstoreSignature(awaitSync, fulcioSignature(leafPem(), null), expected()), 'CERTIFICATE_INVALID', /unknown authority/);
    // The last chain certificate is dropped: an intermediate given as the only (last) entry does not count.
    rejects(() => acceptSigstoreSignature(awaitSync, fulcioSignature(leafPem(), intermediatePem), expected()), 'CERTIFICATE_INVALID', /unknown authority/);
  });

  it('refuses a wrong issuer, a wrong email, a certificate outside its validity, a missing SET or certificate', async () => {
    rejects(() => acceptSigstoreSignature(awaitSync, fulcioSignature(leafPem({ notBefore: minutes(AT, 1) })), expected()), 'CERTIFICATE_EXPIRED', /expired or is not yet valid/);
    const wrongIssuer = await fulcio({ oidcIssuer: 'https://other.example' });
    rejects(() => acceptSigstoreSignature(wrongIssuer, fulcioSignature(leafPem()), expected()), 'SIGNER_UNTRUSTED', /Unexpected Fulcio OIDC issuer "https:\/\/oidc.example"/);
    const wrongEmail = await fulcio({ subjectEmail: 'other@example.com' });
    rejects(() => acceptSigstoreSignature(wrongEmail, fulcioSignature(leafPem()), expected()), 'SIGNER_UNTRUSTED', /Required email other@example.com not found/);
    const good = fulcioSignature(leafPem());
    const withoutSet = Object.fromEntries(Object.entries(good.annotations).filter(([key]) => key !== 'dev.sigstore.cosign/bundle'));
    rejects(() => acceptSigstoreSignature(awaitSync, { ...good, annotations: withoutSet }, expected()), 'TLOG_INVALID', /missing dev.sigstore.cosign\/bundle/);
    const withoutCertificate = Object.fromEntries(Object.entries(good.annotations).filter(([key]) => key !== 'dev.sigstore.cosign/certificate'));
    rejects(() => acceptSigstoreSignature(awaitSync, { ...good, annotations: withoutCertificate }, expected()), 'CERTIFICATE_INVALID', /missing dev.sigstore.cosign\/certificate/);
  });

  it('refuses a leaf without codeSigning and one without the issuer extension', () => {
    rejects(() => acceptSigstoreSignature(awaitSync, fulcioSignature(leafPem({ extensions: [extKeyUsage('1.3.6.1.5.5.7.3.1'), subjectAltName([{ email: EMAIL }]), ...issuerExtensions(ISSUER)] })), expected()),
      'CERTIFICATE_INVALID', /incompatible key usage/);
    rejects(() => acceptSigstoreSignature(awaitSync, fulcioSignature(leafPem({ extensions: [extKeyUsage(OID.codeSigning), subjectAltName([{ email: EMAIL }])] })), expected()),
      'CERTIFICATE_INVALID', /missing the issuer extension/);
  });

  let awaitSync: SigstoreTrust;
  before(async () => {
    awaitSync = await fulcio();
  });

  it('trusting the intermediate directly works without a chain annotation', async () => {
    const direct = await fulcio({}, intermediatePem);
    assert.doesNotThrow(() => acceptSigstoreSignature(direct, fulcioSignature(leafPem(), null), expected()));
  });
});

describe('verify/policy sigstoreSigned pki', () => {
  const now = new Date();
  const pkiLeaf = (extensions?: Extension[]) => leafPem({ notBefore: minutes(now, -5), notAfter: minutes(now, 5), ...(extensions === undefined ? {} : { extensions }) });
  const pkiSignature = (certificatePem: string, chain?: string): SigstoreSignature => {
    const signed = payload();
    return {
      source: 'sig', payload: signed,
      annotations: {
        'dev.cosignproject.cosign/signature': b64(sign('sha256', signed, leafKey.privateKey)),
        'dev.sigstore.cosign/certificate': certificatePem, ...(chain === undefined ? {} : { 'dev.sigstore.cosign/chain': chain }),
      },
    };
  };
  const hostLeaf = () => pkiLeaf([keyUsage(false), extKeyUsage(OID.codeSigning), subjectAltName([{ email: EMAIL }, { dns: '*.build.example' }])]);

  it('accepts with configured intermediates or the chain annotation, judged now', async () => {
    const withIntermediates = await trust({ pki: { caRootsData: b64(rootPem), caIntermediatesData: b64(intermediatePem), subjectEmail: EMAIL } });
    assert.equal(acceptSigstoreSignature(withIntermediates, pkiSignature(pkiLeaf()), expected(now)).signer, `certificate ${EMAIL}`);
    const rootsOnly = await trust({ pki: { caRootsData: b64(rootPem), subjectEmail: EMAIL } });
    assert.doesNotThrow(() => acceptSigstoreSignature(rootsOnly, pkiSignature(pkiLeaf(), intermediatePem + rootPem), expected(now)));
    rejects(() => acceptSigstoreSignature(rootsOnly, pkiSignature(pkiLeaf()), expected(now)), 'CERTIFICATE_INVALID', /unknown authority/);
    rejects(() => acceptSigstoreSignature(rootsOnly, pkiSignature(pkiLeaf(), intermediatePem + rootPem), expected(minutes(now, 60))), 'CERTIFICATE_EXPIRED', /expired/);
  });

  it('checks subjectEmail and subjectHostname', async () => {
    const host = await trust({ pki: { caRootsData: b64(rootPem), caIntermediatesData: b64(intermediatePem), subjectHostname: 'ci.build.example' } });
    assert.equal(acceptSigstoreSignature(host, pkiSignature(hostLeaf()), expected(now)).signer, 'certificate ci.build.example');
    const otherHost = await trust({ pki: { caRootsData: b64(rootPem), caIntermediatesData: b64(intermediatePem), subjectHostname: 'a.b.build.example' } });
    rejects(() => acceptSigstoreSignature(otherHost, pkiSignature(hostLeaf()), expected(now)), 'SIGNER_UNTRUSTED', /not valid for a.b.build.example/);
    const otherEmail = await trust({ pki: { caRootsData: b64(rootPem), caIntermediatesData: b64(intermediatePem), subjectEmail: 'x@example.com' } });
    rejects(() => acceptSigstoreSignature(otherEmail, pkiSignature(hostLeaf()), expected(now)), 'SIGNER_UNTRUSTED', /Required email x@example.com not found/);
    rejects(() => acceptSigstoreSignature(otherEmail, { ...pkiSignature(hostLeaf()), annotations: { 'dev.cosignproject.cosign/signature': 'AA==' } }, expected(now)),
      'CERTIFICATE_INVALID', /missing dev.sigstore.cosign\/certificate/);
  });
});
