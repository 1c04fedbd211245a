/**
 * X.509 checks of sigstoreSigned's fulcio and pki variants, modelled on
 * Go's crypto/x509 Verify as containers/image calls it
 * (signature/fulcio_cert.go, pki_cert.go; research/signatures.md §1.6):
 * a chain from the leaf through the given intermediates to a configured
 * root, every certificate valid at `time`, intermediates marked CA with
 * path length respected, unknown critical extensions refused (an
 * unhandled critical SAN is tolerated), SHA-1/MD5 signatures refused,
 * and codeSigning allowed by every EKU on the chain.
 */
import { X509Certificate as NodeCertificate } from 'node:crypto';
import { ASN1Obj, X509Certificate } from '@sigstore/core';
import { RejectionError } from '../errors.ts';
import { toUnhandledCriticalExtensions } from '../x509-extensions.ts';
import { collectPem, decodeAllPem } from './pem.ts';

const OID_EKU = '2.5.29.37';
const OID_SAN = '2.5.29.17';
const OID_EKU_ANY = '2.5.29.37.0';
const OID_EKU_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
/** Signature algorithms Go's Verify rejects (MD5, SHA-1 with RSA and ECDSA). */
const INSECURE_SIGNATURE_ALGORITHMS = new Set(['1.2.840.113549.1.1.4', '1.2.840.113549.1.1.5', '1.2.840.10045.4.1', '1.2.840.10040.4.3']);
const MAX_CHAIN_LENGTH = 8;

/** A parsed certificate with both views: node's (signature checks) and @sigstore/core's (extensions). */
export interface Certificate {
  readonly der: Uint8Array;
  readonly node: NodeCertificate;
  readonly parsed: X509Certificate;
}

export function toCertificate(der: Uint8Array): Certificate {
  const buffer = Buffer.from(der);
  return { der, node: new NodeCertificate(buffer), parsed: X509Certificate.parse(buffer) };
}

/** Certificates of a PEM text, each block parsed (cryptoutils.UnmarshalCertificatesFromPEM); undefined when any part is not a certificate. */
export function parseCertificatesPem(text: string): Certificate[] | undefined {
  const blocks = decodeAllPem(text);
  if (blocks === undefined) return undefined;
  try {
    return blocks.map((block) => toCertificate(block.bytes));
  } catch {
    return undefined;
  }
}

/** The CERTIFICATE blocks of a CA bundle that parse (CertPool.AppendCertsFromPEM skips the rest). */
export function parseCertificatePool(text: string): Certificate[] {
  const pool: Certificate[] = [];
  for (const der of collectPem(text, 'CERTIFICATE')) {
    try {
      pool.push(toCertificate(der));
    } catch {
      // Skipped, as Go's pool does.
    }
  }
  return pool;
}

function failure(code: 'CERTIFICATE_INVALID' | 'CERTIFICATE_EXPIRED', message: string): RejectionError {
  return new RejectionError(code, `verifying leaf certificate failed: ${message}`);
}

function signatureAlgorithmOid(certificate: Certificate): string {
  return certificate.parsed.root.subs[1]?.subs[0]?.toOID() ?? '';
}

function extendedKeyUsages(certificate: Certificate): string[] | undefined {
  const extension = certificate.parsed.extension(OID_EKU);
  return extension === undefined ? undefined : innerSequence(extension.value).map((oid) => oid.toOID());
}

function checkValidity(certificate: Certificate, time: Date, allowCriticalSan: boolean): void {
  if (time < certificate.parsed.notBefore || time > certificate.parsed.notAfter) {
    throw failure('CERTIFICATE_EXPIRED', `certificate has expired or is not yet valid at ${time.toISOString()}`);
  }
  for (const oid of toUnhandledCriticalExtensions(certificate.parsed.extensions)) {
    if (allowCriticalSan && oid === OID_SAN) continue;
    throw failure('CERTIFICATE_INVALID', `unhandled critical extension ${oid}`);
  }
}

function isIssuedBy(child: Certificate, parent: Certificate): boolean {
  if (INSECURE_SIGNATURE_ALGORITHMS.has(signatureAlgorithmOid(child))) return false;
  try {
    return child.node.checkIssued(parent.node) && child.node.verify(parent.node.publicKey);
  } catch {
    return false;
  }
}

/** Every certificate with an EKU extension must allow codeSigning or any usage (Go's checkChainForKeyUsage). */
function allowsCodeSigning(chain: readonly Certificate[]): boolean {
  return chain.every((certificate) => {
    const usages = extendedKeyUsages(certificate);
    return usages === undefined || usages.length === 0 || usages.includes(OID_EKU_ANY) || usages.includes(OID_EKU_CODE_SIGNING);
  });
}

/**
 * Verifies `leaf` to one of `roots` through `intermediates` at `time`, for
 * code signing. Throws RejectionError CERTIFICATE_INVALID (no chain,
 * wrong usage, bad extension) or CERTIFICATE_EXPIRED (outside validity).
 */
export function verifyCertificateChain(
  leaf: Certificate, intermediates: readonly Certificate[], roots: readonly Certificate[], time: Date,
): void {
  // Go tolerates the SAN being critical-but-unrecognised here only because containers/image strips it (fulcio_cert.go).
  checkValidity(leaf, time, true);
  let lastProblem: RejectionError | undefined;
  const extend = (chain: readonly Certificate[]): boolean => {
    const current = chain[chain.length - 1];
    if (current === undefined || chain.length > MAX_CHAIN_LENGTH) return false;
    for (const root of roots) {
      if (!isIssuedBy(current, root) && !(chain.length === 1 && Buffer.from(current.der).equals(Buffer.from(root.der)))) continue;
      try {
        checkValidity(root, time, false);
      } catch (error) {
        if (error instanceof RejectionError) lastProblem = error;
        continue;
      }
      const full = Buffer.from(current.der).equals(Buffer.from(root.der)) ? chain : [...chain, root];
      if (allowsCodeSigning(full)) return true;
      lastProblem = failure('CERTIFICATE_INVALID', 'certificate specifies an incompatible key usage');
    }
    for (const candidate of intermediates) {
      if (chain.some((member) => Buffer.from(member.der).equals(Buffer.from(candidate.der)))) continue;
      if (!isIssuedBy(current, candidate)) continue;
      try {
        checkValidity(candidate, time, false);
        const constraints = candidate.parsed.extBasicConstraints;
        if (!constraints?.isCA) throw failure('CERTIFICATE_INVALID', 'certificate is not authorized to sign other certificates');
        const pathLength = constraints.pathLenConstraint;
        if (pathLength !== undefined && BigInt(chain.length - 1) > pathLength) throw failure('CERTIFICATE_INVALID', 'too many intermediates for path length constraint');
      } catch (error) {
        if (error instanceof RejectionError) lastProblem = error;
        continue;
      }
      if (extend([...chain, candidate])) return true;
    }
    return false;
  };
  if (!extend([leaf])) throw lastProblem ?? failure('CERTIFICATE_INVALID', 'certificate signed by unknown authority');
}

/** The rfc822Name (email) entries of the SAN extension, in order. */
export function toSanEmails(certificate: Certificate): string[] {
  return sanEntries(certificate, 1);
}

/** The dNSName entries of the SAN extension, in order. */
export function toSanDnsNames(certificate: Certificate): string[] {
  return sanEntries(certificate, 2);
}

function sanEntries(certificate: Certificate, tagNumber: number): string[] {
  const extension = certificate.parsed.extension(OID_SAN);
  if (extension === undefined) return [];
  return innerSequence(extension.value).filter((name) => name.tag.isContextSpecific(tagNumber)).map((name) => name.value.toString('latin1'));
}

/** The elements of the SEQUENCE DER-encoded in an extension's OCTET STRING; a malformed one is an invalid certificate. */
function innerSequence(value: Uint8Array): ASN1Obj[] {
  try {
    return ASN1Obj.parseBuffer(Buffer.from(value)).subs;
  } catch {
    throw new RejectionError('CERTIFICATE_INVALID', 'certificate has a malformed extension');
  }
}

/** The raw value of an extension (the OCTET STRING contents), or undefined. Throws on duplicates. */
export function toExtensionValue(certificate: Certificate, oid: string): Uint8Array | undefined {
  const matching = certificate.parsed.extensions.filter((extension) => extension.subs[0]?.toOID() === oid);
  if (matching.length > 1) throw new RejectionError('CERTIFICATE_INVALID', `certificate has a duplicate extension ${oid}`);
  const [extension] = matching;
  const value = extension?.subs[extension.subs.length - 1]?.value;
  return value === undefined ? undefined : new Uint8Array(value);
}
