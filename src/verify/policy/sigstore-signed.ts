/**
 * The `sigstoreSigned` requirement on one cosign legacy signature layer
 * (containers/image signature/policy_eval_sigstore.go, fulcio_cert.go,
 * pki_cert.go; research/signatures.md §1.6). Four variants:
 *   1. keys: the payload signature verifies with any trusted key;
 *   2. keys + Rekor: the SET must verify for a key first, and only that key is used;
 *   3. fulcio + Rekor: SET over the certificate, chain valid at the SET's integrated time, issuer and email;
 *   4. pki: chain valid now, email and/or hostname.
 * Then, in this order: strict payload parse, docker-manifest-digest equal
 * to the subject, signedIdentity. Pure functions on bytes; fetching is
 * the verifier's job.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { decodeStandardBase64 } from '../base64.ts';
import { configInvalid, RejectionError } from '../errors.ts';
import { COSIGN_SIGNATURE_TYPE, parseSignaturePayload } from '../simple-signing/index.ts';
import {
  parseCertificatePool, parseCertificatesPem, toExtensionValue, toSanDnsNames, toSanEmails,
  verifyCertificateChain, type Certificate,
} from './certificates.ts';
import type { DockerReference } from './docker-reference.ts';
import { matchesSignedIdentity } from './identity-match.ts';
import type { KeySource, SignedIdentity, SigstoreSignedRequirement } from './policy-types.ts';
import {
  isEcdsaKey, parsePemPublicKey, PublicKeyError, toSpkiDer, verifySha256Signature,
} from './public-keys.ts';
import { verifyRekorSet } from './rekor-set.ts';
import type { TrustedKeyReader } from './trusted-keys.ts';

export const SIMPLE_SIGNING_LAYER_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
export const CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate';
export const CHAIN_ANNOTATION = 'dev.sigstore.cosign/chain';
export const SET_ANNOTATION = 'dev.sigstore.cosign/bundle';

const OID_FULCIO_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
const OID_FULCIO_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';

/** A trusted public key and how to name it. */
export interface TrustedPublicKey {
  readonly key: KeyObject;
  /** `SHA256:<hex of the PKIX DER>`. */
  readonly fingerprint: string;
}

/** A sigstoreSigned requirement with its trust material read and parsed. */
export interface SigstoreTrust {
  readonly publicKeys?: readonly TrustedPublicKey[];
  readonly rekorKeys?: readonly KeyObject[];
  readonly fulcio?: { readonly roots: readonly Certificate[]; readonly oidcIssuer: string; readonly subjectEmail: string };
  readonly pki?: {
    readonly roots: readonly Certificate[];
    readonly intermediates: readonly Certificate[];
    readonly subjectEmail?: string;
    readonly subjectHostname?: string;
  };
  readonly signedIdentity: SignedIdentity;
}

async function readSource(source: KeySource, readTrustedKey: TrustedKeyReader): Promise<Uint8Array> {
  if (source.kind === 'data') return source.data;
  try {
    return await readTrustedKey(source.path);
  } catch (error) {
    throw configInvalid(`policy.json ${source.at}: the key file cannot be read`, { cause: error });
  }
}

async function readPublicKey(source: KeySource, readTrustedKey: TrustedKeyReader, what: string): Promise<KeyObject> {
  const bytes = await readSource(source, readTrustedKey);
  try {
    return parsePemPublicKey(bytes);
  } catch (error) {
    const reason = error instanceof PublicKeyError ? error.message : 'unreadable';
    throw configInvalid(`policy.json ${source.at}: parsing ${what}: ${reason}`, { details: { field: source.at } });
  }
}

async function readCertificates(source: KeySource, readTrustedKey: TrustedKeyReader, what: string): Promise<Certificate[]> {
  const text = Buffer.from(await readSource(source, readTrustedKey)).toString('latin1');
  const pool = parseCertificatePool(text);
  if (pool.length === 0) throw configInvalid(`policy.json ${source.at}: error loading ${what} certificates`, { details: { field: source.at } });
  return pool;
}

/** Reads and parses a requirement's trust material. Throws CONFIG_INVALID naming the field. */
export async function prepareSigstoreTrust(requirement: SigstoreSignedRequirement, readTrustedKey: TrustedKeyReader): Promise<SigstoreTrust> {
  const publicKeys: TrustedPublicKey[] = [];
  for (const source of requirement.publicKeys ?? []) {
    const key = await readPublicKey(source, readTrustedKey, 'public key');
    publicKeys.push({ key, fingerprint: `SHA256:${createHash('sha256').update(toSpkiDer(key)).digest('hex')}` });
  }
  const rekorKeys: KeyObject[] = [];
  for (const [index, source] of (requirement.rekorPublicKeys ?? []).entries()) {
    const key = await readPublicKey(source, readTrustedKey, 'Rekor public key');
    if (!isEcdsaKey(key)) throw configInvalid(`policy.json ${source.at}: Rekor public key ${String(index)} is not using ECDSA`, { details: { field: source.at } });
    rekorKeys.push(key);
  }
  const { fulcio, pki } = requirement;
  return {
    signedIdentity: requirement.signedIdentity,
    ...(requirement.publicKeys === undefined ? {} : { publicKeys }),
    ...(requirement.rekorPublicKeys === undefined ? {} : { rekorKeys }),
    ...(fulcio === undefined ? {} : {
      fulcio: { roots: await readCertificates(fulcio.ca, readTrustedKey, 'Fulcio CA'), oidcIssuer: fulcio.oidcIssuer, subjectEmail: fulcio.subjectEmail },
    }),
    ...(pki === undefined ? {} : {
      pki: {
        roots: await readCertificates(pki.caRoots, readTrustedKey, 'root CA'),
        intermediates: pki.caIntermediates === undefined ? [] : await readCertificates(pki.caIntermediates, readTrustedKey, 'intermediate CA'),
        ...(pki.subjectEmail === undefined ? {} : { subjectEmail: pki.subjectEmail }),
        ...(pki.subjectHostname === undefined ? {} : { subjectHostname: pki.subjectHostname }),
      },
    }),
  };
}

/** One cosign signature layer: its payload bytes and its (untrusted) annotations. */
export interface SigstoreSignature {
  readonly source: string;
  readonly payload: Uint8Array;
  readonly annotations: Readonly<Record<string, string>>;
}

/** What the signature must be about. */
export interface SigstoreExpectation {
  /** The subject's manifest digest. */
  readonly digest: string;
  /** The intended docker reference (scopes.ts toIntendedReference). */
  readonly intended: DockerReference;
  /** Current time, for the pki variant. */
  readonly now: Date;
}

/** Who signed, as reported in the verdict. */
export interface SigstoreAcceptance {
  readonly signer: string;
  readonly signedAt?: Date;
}

function annotation(signature: SigstoreSignature, key: string, code: 'SIGNATURE_INVALID' | 'TLOG_INVALID' | 'CERTIFICATE_INVALID'): string {
  const value = signature.annotations[key];
  if (value === undefined) throw new RejectionError(code, `missing ${key} annotation`);
  return value;
}

function toPem(type: string, der: Uint8Array): string {
  const body = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n');
  return `-----BEGIN ${type}-----\n${body}-----END ${type}-----\n`;
}

/** The OIDC issuer of a Fulcio certificate: `.1.1` (raw) and/or `.1.8` (DER UTF8String); both must agree. */
function toFulcioIssuer(certificate: Certificate): string {
  const v1 = toExtensionValue(certificate, OID_FULCIO_ISSUER_V1);
  const v2raw = toExtensionValue(certificate, OID_FULCIO_ISSUER_V2);
  let v2: string | undefined;
  if (v2raw !== undefined) {
    // DER UTF8String with a short or long-form length.
    const lengthByte = v2raw[1] ?? 0;
    const headerLength = lengthByte < 0x80 ? 2 : 2 + (lengthByte & 0x7f);
    if (v2raw[0] !== 0x0c) throw new RejectionError('CERTIFICATE_INVALID', 'Fulcio certificate issuer extension is not a UTF8String');
    v2 = Buffer.from(v2raw.subarray(headerLength)).toString('utf8');
  }
  const v1Text = v1 === undefined ? undefined : Buffer.from(v1).toString('utf8');
  if (v1Text !== undefined && v2 !== undefined && v1Text !== v2) {
    throw new RejectionError('CERTIFICATE_INVALID', `Fulcio certificate has inconsistent issuer extensions ${JSON.stringify(v1Text)} and ${JSON.stringify(v2)}`);
  }
  const issuer = v2 ?? v1Text;
  if (issuer === undefined) throw new RejectionError('CERTIFICATE_INVALID', 'Fulcio certificate is missing the issuer extension');
  return issuer;
}

function parseLeaf(text: string): Certificate {
  const leaves = parseCertificatesPem(text);
  if (leaves === undefined) throw new RejectionError('CERTIFICATE_INVALID', 'parsing leaf certificate failed');
  const [leaf, ...others] = leaves;
  if (leaf === undefined) throw new RejectionError('CERTIFICATE_INVALID', 'no certificate found in signature certificate data');
  if (others.length > 0) throw new RejectionError('CERTIFICATE_INVALID', 'unexpected multiple certificates present in signature certificate data');
  return leaf;
}

/** The chain annotation minus its last certificate (the root is never taken from the signature). */
function chainIntermediates(signature: SigstoreSignature): Certificate[] {
  const text = signature.annotations[CHAIN_ANNOTATION];
  if (text === undefined || text.length === 0) return [];
  const chain = parseCertificatesPem(text);
  if (chain === undefined) throw new RejectionError('CERTIFICATE_INVALID', 'loading certificate chain failed');
  return chain.slice(0, -1);
}

/** Go's VerifyHostname for DNS names (exact, or a leading `*.` wildcard covering one label); IP hosts match IP SANs via node. */
function matchesHostname(certificate: Certificate, hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (/^[0-9.]+$/.test(host) || host.includes(':')) return certificate.node.checkIP(host) !== undefined;
  return toSanDnsNames(certificate).some((name) => {
    const pattern = name.toLowerCase().replace(/\.$/, '');
    if (pattern === host) return true;
    if (!pattern.startsWith('*.')) return false;
    const dot = host.indexOf('.');
    return dot > 0 && host.slice(dot + 1) === pattern.slice(2);
  });
}

function keyMatching(trust: SigstoreTrust, signature: SigstoreSignature, base64Signature: string): { key: KeyObject; signer: string; signedAt?: Date } {
  const publicKeys = trust.publicKeys ?? [];
  if (trust.rekorKeys === undefined) {
    const bytes = decodeStandardBase64(base64Signature);
    if (bytes === undefined) throw new RejectionError('SIGNATURE_INVALID', 'base64 decoding of the signature failed');
    const match = publicKeys.find((candidate) => verifySha256Signature(candidate.key, signature.payload, bytes));
    if (match === undefined) throw new RejectionError('SIGNATURE_INVALID', 'cryptographic signature verification failed');
    return { key: match.key, signer: `key ${match.fingerprint}` };
  }
  const set = annotation(signature, SET_ANNOTATION, 'TLOG_INVALID');
  let lastError: unknown;
  for (const candidate of publicKeys) {
    try {
      const signedAt = verifyRekorSet(trust.rekorKeys, {
        set, keyOrCertificatePem: toPem('PUBLIC KEY', toSpkiDer(candidate.key)), base64Signature, payload: signature.payload,
      });
      return { key: candidate.key, signer: `key ${candidate.fingerprint}`, signedAt };
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError instanceof RejectionError ? lastError : new RejectionError('TLOG_INVALID', 'no trusted key matches the Rekor SET');
}

function certificateKey(trust: SigstoreTrust, signature: SigstoreSignature, base64Signature: string, now: Date): { key: KeyObject; signer: string; signedAt?: Date } {
  const certificateText = annotation(signature, CERTIFICATE_ANNOTATION, 'CERTIFICATE_INVALID');
  if (trust.fulcio !== undefined) {
    const set = annotation(signature, SET_ANNOTATION, 'TLOG_INVALID');
    const signedAt = verifyRekorSet(trust.rekorKeys ?? [], { set, keyOrCertificatePem: certificateText, base64Signature, payload: signature.payload });
    const leaf = parseLeaf(certificateText);
    verifyCertificateChain(leaf, chainIntermediates(signature), trust.fulcio.roots, signedAt);
    const issuer = toFulcioIssuer(leaf);
    if (issuer !== trust.fulcio.oidcIssuer) throw new RejectionError('SIGNER_UNTRUSTED', `Unexpected Fulcio OIDC issuer ${JSON.stringify(issuer)}`);
    const emails = toSanEmails(leaf);
    if (!emails.includes(trust.fulcio.subjectEmail)) {
      throw new RejectionError('SIGNER_UNTRUSTED', `Required email ${trust.fulcio.subjectEmail} not found (got ${JSON.stringify(emails)})`);
    }
    return { key: leaf.node.publicKey, signer: `${trust.fulcio.subjectEmail} (issuer ${issuer})`, signedAt };
  }
  const pki = trust.pki;
  if (pki === undefined) throw configInvalid('policy.json: sigstoreSigned has no trust root');
  const leaf = parseLeaf(certificateText);
  verifyCertificateChain(leaf, [...pki.intermediates, ...chainIntermediates(signature)], pki.roots, now);
  const names: string[] = [];
  if (pki.subjectEmail !== undefined) {
    const emails = toSanEmails(leaf);
    if (!emails.includes(pki.subjectEmail)) throw new RejectionError('SIGNER_UNTRUSTED', `Required email ${pki.subjectEmail} not found (got ${JSON.stringify(emails)})`);
    names.push(pki.subjectEmail);
  }
  if (pki.subjectHostname !== undefined) {
    if (!matchesHostname(leaf, pki.subjectHostname)) throw new RejectionError('SIGNER_UNTRUSTED', `Unexpected subject hostname: certificate is not valid for ${pki.subjectHostname}`);
    names.push(pki.subjectHostname);
  }
  return { key: leaf.node.publicKey, signer: `certificate ${names.join(', ')}` };
}

/**
 * Accepts one cosign signature layer under `trust`, or throws
 * RejectionError naming why: SIGNATURE_INVALID, TLOG_INVALID,
 * CERTIFICATE_INVALID/EXPIRED, SIGNER_UNTRUSTED, PAYLOAD_INVALID,
 * SUBJECT_MISMATCH, IDENTITY_MISMATCH.
 */
export function acceptSigstoreSignature(trust: SigstoreTrust, signature: SigstoreSignature, expected: SigstoreExpectation): SigstoreAcceptance {
  const base64Signature = annotation(signature, SIGNATURE_ANNOTATION, 'SIGNATURE_INVALID');
  const matched = trust.publicKeys === undefined
    ? certificateKey(trust, signature, base64Signature, expected.now)
    : keyMatching(trust, signature, base64Signature);
  if (trust.publicKeys === undefined || trust.rekorKeys !== undefined) {
    const bytes = decodeStandardBase64(base64Signature);
    if (bytes === undefined) throw new RejectionError('SIGNATURE_INVALID', 'base64 decoding of the signature failed');
    if (!verifySha256Signature(matched.key, signature.payload, bytes)) {
      throw new RejectionError('SIGNATURE_INVALID', 'cryptographic signature verification failed');
    }
  }
  const payload = parseSignaturePayload(signature.payload, COSIGN_SIGNATURE_TYPE);
  if (payload.dockerManifestDigest !== expected.digest) {
    throw new RejectionError('SUBJECT_MISMATCH', `Signature for digest ${payload.dockerManifestDigest} does not match`);
  }
  if (!matchesSignedIdentity(trust.signedIdentity, expected.intended, payload.dockerReference)) {
    throw new RejectionError('IDENTITY_MISMATCH', `Signature for identity ${JSON.stringify(payload.dockerReference.slice(0, 300))} is not accepted`);
  }
  return { signer: matched.signer, ...(matched.signedAt === undefined ? {} : { signedAt: matched.signedAt }) };
}
