/**
 * RFC 3161 timestamp countersignatures (`io.cncf.notary.timestampSignature`)
 * as notation-go checks them (verifier.go verifyAuthenticTimestamp,
 * tspclient-go; research/signatures.md §6.6): the token is a CMS SignedData
 * (RFC 5652) over a TSTInfo whose messageImprint is the hash of the raw
 * envelope signature bytes; the signer certificate must chain, inside the
 * token, to a certificate of a `tsa` trust store and be a time-stamping
 * certificate; the timestamp is the genTime ± accuracy interval.
 */
import { createHash, verify as verifySignature } from 'node:crypto';
import { ASN1Obj } from '@sigstore/core';
import { CertificateError, isIssuedBy, parseCertificate, type Certificate } from './certificate.ts';

export class TimestampError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimestampError';
  }
}

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_TST_INFO = '1.2.840.113549.1.9.16.1.4';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
const HASHES: Readonly<Record<string, 'sha256' | 'sha384' | 'sha512'>> = {
  '2.16.840.1.101.3.4.2.1': 'sha256', '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512',
};
/** Signature algorithms of the signer info; the hash comes from the digest algorithm. */
const SIGNATURE_ALGORITHMS = new Set([
  '1.2.840.113549.1.1.1', '1.2.840.113549.1.1.11', '1.2.840.113549.1.1.12', '1.2.840.113549.1.1.13',
  '1.2.840.10045.4.3.2', '1.2.840.10045.4.3.3', '1.2.840.10045.4.3.4',
]);
const MAX_CHAIN = 10;

/** The interval the timestamp proves the signature existed in. */
export interface TimestampInterval {
  readonly earliest: Date;
  readonly latest: Date;
}

function sub(object: ASN1Obj | undefined, index: number, what: string): ASN1Obj {
  const found = object?.subs[index];
  if (found === undefined) throw new TimestampError(`malformed timestamp token: missing ${what}`);
  return found;
}

function hashOf(algorithm: ASN1Obj, what: string): 'sha256' | 'sha384' | 'sha512' {
  const name = HASHES[sub(algorithm, 0, what).toOID()];
  if (name === undefined) throw new TimestampError(`unsupported ${what} hash algorithm`);
  return name;
}

function readAccuracyMillis(tstInfo: ASN1Obj): number {
  // Fields after genTime: accuracy SEQUENCE (seconds INTEGER, [0] millis, [1] micros) is the only SEQUENCE.
  const accuracy = tstInfo.subs.slice(5).find((field) => field.tag.number === 0x10 && field.tag.isUniversal());
  if (accuracy === undefined) return 1000; // Unknown accuracy: assume a second either side (stricter than none).
  let millis = 0;
  for (const field of accuracy.subs) {
    if (field.tag.isInteger()) millis += Number(field.toInteger()) * 1000;
    else if (field.tag.isContextSpecific(0)) millis += Number.parseInt(Buffer.from(field.value).toString('hex') || '0', 16);
    else if (field.tag.isContextSpecific(1)) millis += Math.ceil(Number.parseInt(Buffer.from(field.value).toString('hex') || '0', 16) / 1000);
  }
  return millis;
}

function findSigner(sid: ASN1Obj, certificates: readonly Certificate[]): Certificate {
  for (const certificate of certificates) {
    const parsed = ASN1Obj.parseBuffer(Buffer.from(certificate.der));
    const tbs = sub(parsed, 0, 'certificate');
    const offset = tbs.subs[0]?.tag.isContextSpecific(0) === true ? 1 : 0;
    const serial = sub(tbs, offset, 'serial number');
    if (!sid.tag.isContextSpecific(0)) {
      // IssuerAndSerialNumber
      const issuer = sub(sid, 0, 'signer issuer');
      const number = sub(sid, 1, 'signer serial');
      if (Buffer.from(issuer.toDER()).equals(Buffer.from(certificate.rawIssuer)) && Buffer.from(number.value).equals(Buffer.from(serial.value))) return certificate;
    }
  }
  throw new TimestampError('the timestamp signer certificate is not in the token');
}

function buildChain(signer: Certificate, pool: readonly Certificate[], roots: readonly Certificate[], at: Date): Certificate[] {
  const chain = [signer];
  const isRoot = (certificate: Certificate): boolean => roots.some((root) => Buffer.from(root.der).equals(Buffer.from(certificate.der)));
  let current = signer;
  while (chain.length <= MAX_CHAIN) {
    if (at.getTime() < current.notBefore.getTime() || at.getTime() > current.notAfter.getTime()) {
      throw new TimestampError(`timestamp certificate "${current.subject}" is not valid at the timestamp time`);
    }
    if (isRoot(current)) return chain;
    const trustedIssuer = roots.find((root) => isIssuedBy(current, root));
    if (trustedIssuer !== undefined) {
      current = trustedIssuer;
      chain.push(current);
      continue;
    }
    const parent = pool.find((candidate) => candidate !== current && !chain.includes(candidate) && isIssuedBy(current, candidate));
    if (parent === undefined) throw new TimestampError('the timestamp signer does not chain to a certificate of the tsa trust store');
    current = parent;
    chain.push(current);
  }
  throw new TimestampError('the timestamp certificate chain is too long');
}

function assertTimeStampingLeaf(certificate: Certificate): void {
  const usages = certificate.extKeyUsage;
  if (usages?.length !== 1 || usages[0] !== OID_TIME_STAMPING) {
    throw new TimestampError(`timestamp signing certificate "${certificate.subject}" must have timeStamping as its only extended key usage`);
  }
  if (certificate.basicConstraints?.isCA === true) throw new TimestampError(`timestamp signing certificate "${certificate.subject}" must not be a CA`);
}

/**
 * Verifies a TimeStampToken over `signature` against the `tsa` roots.
 * Throws TimestampError; returns the proven interval.
 */
export function verifyTimestampToken(token: Uint8Array, signature: Uint8Array, roots: readonly Certificate[]): TimestampInterval {
  if (roots.length === 0) throw new TimestampError('no trusted TSA certificate found in trust store');
  try {
    const contentInfo = ASN1Obj.parseBuffer(Buffer.from(token));
    if (sub(contentInfo, 0, 'content type').toOID() !== OID_SIGNED_DATA) throw new TimestampError('timestamp token is not a CMS SignedData');
    const signedData = sub(sub(contentInfo, 1, 'content'), 0, 'signed data');
    const encapsulated = sub(signedData, 2, 'encapsulated content');
    if (sub(encapsulated, 0, 'eContentType').toOID() !== OID_TST_INFO) throw new TimestampError('timestamp token does not carry a TSTInfo');
    const eContent = sub(sub(encapsulated, 1, 'eContent'), 0, 'eContent octets');
    const tstInfoBytes = Buffer.from(eContent.value);
    const tstInfo = ASN1Obj.parseBuffer(tstInfoBytes);
    const imprint = sub(tstInfo, 2, 'message imprint');
    const imprintHash = hashOf(sub(imprint, 0, 'imprint algorithm'), 'message imprint');
    const expected = createHash(imprintHash).update(signature).digest();
    if (!expected.equals(Buffer.from(sub(imprint, 1, 'imprint').value))) {
      throw new TimestampError('the timestamp message imprint does not match the signature');
    }
    const genTime = sub(tstInfo, 4, 'genTime').toDate();
    const certificateSet = signedData.subs.find((field) => field.tag.isContextSpecific(0));
    const certificates = (certificateSet?.subs ?? []).map((der) => parseCertificate(der.toDER()));
    const signerInfos = signedData.subs[signedData.subs.length - 1];
    if (signerInfos?.subs.length !== 1) throw new TimestampError('timestamp token must have exactly one signer');
    const signerInfo = sub(signerInfos, 0, 'signer info');
    const digestHash = hashOf(sub(signerInfo, 2, 'digest algorithm'), 'signer digest');
    const signedAttributes = signerInfo.subs.find((field) => field.tag.isContextSpecific(0));
    if (signedAttributes === undefined) throw new TimestampError('timestamp signer info has no signed attributes');
    let contentType: string | undefined;
    let messageDigest: Buffer | undefined;
    for (const attribute of signedAttributes.subs) {
      const oid = sub(attribute, 0, 'attribute type').toOID();
      const value = sub(sub(attribute, 1, 'attribute values'), 0, 'attribute value');
      if (oid === OID_CONTENT_TYPE) contentType = value.toOID();
      if (oid === OID_MESSAGE_DIGEST) messageDigest = Buffer.from(value.value);
    }
    if (contentType !== OID_TST_INFO) throw new TimestampError('timestamp signed attributes have the wrong content type');
    if (messageDigest === undefined || !createHash(digestHash).update(tstInfoBytes).digest().equals(messageDigest)) {
      throw new TimestampError('timestamp signed attributes do not match the TSTInfo');
    }
    const signatureIndex = signerInfo.subs.indexOf(signedAttributes) + 1;
    const signatureAlgorithm = sub(sub(signerInfo, signatureIndex, 'signature algorithm'), 0, 'signature algorithm oid').toOID();
    if (!SIGNATURE_ALGORITHMS.has(signatureAlgorithm)) throw new TimestampError('unsupported timestamp signature algorithm');
    const signerCertificate = findSigner(sub(signerInfo, 1, 'signer identifier'), certificates);
    // CMS signs the DER of SET OF attributes: the [0] IMPLICIT tag becomes SET (RFC 5652 §5.4).
    const signedBytes = Buffer.from(signedAttributes.toDER());
    signedBytes[0] = 0x31;
    const value = Buffer.from(sub(signerInfo, signatureIndex + 1, 'signature').value);
    if (!verifySignature(digestHash, signedBytes, signerCertificate.publicKey, value)) {
      throw new TimestampError('timestamp token signature does not verify');
    }
    assertTimeStampingLeaf(signerCertificate);
    buildChain(signerCertificate, certificates, roots, genTime);
    const accuracy = readAccuracyMillis(tstInfo);
    return { earliest: new Date(genTime.getTime() - accuracy), latest: new Date(genTime.getTime() + accuracy) };
  } catch (error) {
    if (error instanceof TimestampError) throw error;
    if (error instanceof CertificateError) throw new TimestampError(`timestamp token certificate: ${error.message}`);
    throw new TimestampError(`malformed timestamp token: ${error instanceof Error ? error.message : String(error)}`);
  }
}
