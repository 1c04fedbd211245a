/**
 * The code-signing certificate chain rules of the integrity step
 * (notation-core-go x509/codesigning_cert_validations.go;
 * research/signatures.md §6.5): the envelope carries the complete chain,
 * leaf first, ending in a self-signed root; validity periods are judged
 * later (authentic timestamp), not here.
 */
import { isIssuedBy, hasValidSignatureFrom, type Certificate, type KeyUsageName } from './certificate.ts';

export class ChainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChainError';
  }
}

/** Key usages a code-signing leaf must not have. */
const FORBIDDEN_LEAF_KEY_USAGES: readonly KeyUsageName[] = [
  'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly',
];

/** Extended key usages a code-signing leaf must not have. */
const FORBIDDEN_LEAF_EKUS: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};

function isSelfSigned(certificate: Certificate): boolean {
  return isIssuedBy(certificate, certificate);
}

/** RSA ≥ 2048 bits or EC P-256/384/521 (notation-core-go validateSignatureAlgorithm / key length rules). */
export function assertKeyStrength(certificate: Certificate): void {
  const key = certificate.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    if ((details.modulusLength ?? 0) < 2048) {
      throw new ChainError(`certificate with subject "${certificate.subject}": RSA key size ${String(details.modulusLength ?? 0)} bits is not supported, it must be at least 2048 bits`);
    }
    return;
  }
  if (key.asymmetricKeyType === 'ec' && ['prime256v1', 'secp384r1', 'secp521r1'].includes(details.namedCurve ?? '')) return;
  throw new ChainError(`certificate with subject "${certificate.subject}": unsupported public key type ${key.asymmetricKeyType ?? 'unknown'}${details.namedCurve === undefined ? '' : ` ${details.namedCurve}`}`);
}

function assertKeyUsagePresent(certificate: Certificate): NonNullable<Certificate['keyUsage']> {
  const keyUsage = certificate.keyUsage;
  if (keyUsage === undefined) throw new ChainError(`certificate with subject "${certificate.subject}": key usage extension must be present`);
  if (!keyUsage.critical) throw new ChainError(`certificate with subject "${certificate.subject}": key usage extension must be marked critical`);
  return keyUsage;
}

/** Leaf rules: not a CA, keyUsage critical with digitalSignature only-ish, no TLS/e-mail/TSA/OCSP EKUs. */
export function assertCodeSigningLeaf(certificate: Certificate): void {
  if (certificate.basicConstraints?.isCA === true) {
    throw new ChainError(`certificate with subject "${certificate.subject}": if the basic constraints extension is present, the ca field must be set to false`);
  }
  const keyUsage = assertKeyUsagePresent(certificate);
  if (!keyUsage.bits.has('digitalSignature')) {
    throw new ChainError(`certificate with subject "${certificate.subject}": key usage must have the bit positions for digital signature set`);
  }
  const forbidden = FORBIDDEN_LEAF_KEY_USAGES.filter((usage) => keyUsage.bits.has(usage));
  if (forbidden.length > 0) {
    throw new ChainError(`certificate with subject "${certificate.subject}": key usage must not have the bit positions for ${forbidden.join(', ')} set`);
  }
  for (const oid of certificate.extKeyUsage ?? []) {
    const name = FORBIDDEN_LEAF_EKUS[oid];
    if (name !== undefined) throw new ChainError(`certificate with subject "${certificate.subject}": extended key usage must not contain ${name} eku`);
  }
  assertKeyStrength(certificate);
}

/** CA rules: cA true, pathLen allows the CAs below it, keyUsage critical with keyCertSign. */
function assertCodeSigningCA(certificate: Certificate, expectedPathLen: number): void {
  const constraints = certificate.basicConstraints;
  if (constraints?.isCA !== true) {
    throw new ChainError(`certificate with subject "${certificate.subject}": ca field in basic constraints must be present, critical, and set to true`);
  }
  if (constraints.maxPathLen !== undefined && expectedPathLen > constraints.maxPathLen) {
    throw new ChainError(`certificate with subject "${certificate.subject}": expected path length of ${String(expectedPathLen)} but certificate has maxPathLen ${String(constraints.maxPathLen)}`);
  }
  const keyUsage = assertKeyUsagePresent(certificate);
  if (!keyUsage.bits.has('keyCertSign')) {
    throw new ChainError(`certificate with subject "${certificate.subject}": key usage must have the bit positions for key cert sign set`);
  }
  assertKeyStrength(certificate);
}

/**
 * RFC 5280 §4.2: a certificate with a critical extension the verifier does
 * not recognise must be rejected. Deliberately stricter than notation-core-go,
 * which validates the chain by hand and never calls x509.Verify, so it accepts
 * such certificates (docs/verification-hostile-inputs.md, "Known deviations").
 * "Recognised" is Go's handled set (x509-extensions.ts), which covers every
 * extension notation reads (keyUsage, extKeyUsage, basicConstraints).
 */
function assertCriticalExtensionsHandled(certificate: Certificate): void {
  const [oid] = certificate.unhandledCriticalExtensions;
  if (oid !== undefined) throw new ChainError(`certificate with subject "${certificate.subject}": unhandled critical extension ${oid}`);
}

/** Throws ChainError naming the first rule of §6.5 the chain breaks (or an unhandled critical extension). */
export function assertCodeSigningChain(chain: readonly Certificate[]): void {
  const [leaf] = chain;
  if (leaf === undefined) throw new ChainError('certificate chain must contain at least one certificate');
  if (chain.length === 1) {
    // A lone self-signed signing certificate: its own signature must verify, and it must be a valid leaf.
    if (!Buffer.from(leaf.rawIssuer).equals(Buffer.from(leaf.rawSubject)) || !hasValidSignatureFrom(leaf, leaf)) {
      throw new ChainError(`invalid self-signed certificate. subject: "${leaf.subject}"`);
    }
    assertCriticalExtensionsHandled(leaf);
    assertCodeSigningLeaf(leaf);
    return;
  }
  chain.forEach((certificate, index) => {
    const parent = chain[index + 1];
    if (parent === undefined) {
      if (!isSelfSigned(certificate)) {
        throw new ChainError(`root certificate with subject "${certificate.subject}" is not self-signed. Certificate chain must end with a valid self-signed root certificate`);
      }
    } else {
      if (isSelfSigned(certificate)) {
        const role = index === 0 ? 'leaf' : 'intermediate';
        throw new ChainError(`${role} certificate with subject "${certificate.subject}" is self-signed. Certificate chain must not contain self-signed ${role} certificate`);
      }
      if (!isIssuedBy(certificate, parent)) {
        throw new ChainError(`invalid certificates or certificate with subject "${certificate.subject}" is not issued by "${parent.subject}"`);
      }
    }
    assertCriticalExtensionsHandled(certificate);
    if (index === 0) assertCodeSigningLeaf(certificate);
    else assertCodeSigningCA(certificate, index - 1);
  });
}
