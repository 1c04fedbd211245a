/**
 * Critical X.509 extensions as Go's crypto/x509 judges them (parser.go
 * processExtensions; verify.go isValid): RFC 5280 §4.2 says a certificate
 * with a critical extension the verifier does not recognise must be
 * rejected, and Go recognises exactly the set below. Shared by every
 * provider that checks certificates, so they agree on what is "handled".
 */
import type { ASN1Obj } from '@sigstore/core';

/** Extensions Go's x509 parser handles; any other critical extension fails x509.Verify. */
export const HANDLED_EXTENSIONS: ReadonlySet<string> = new Set([
  '2.5.29.15', // keyUsage
  '2.5.29.19', // basicConstraints
  '2.5.29.17', // subjectAltName
  '2.5.29.30', // nameConstraints
  '2.5.29.31', // cRLDistributionPoints
  '2.5.29.32', // certificatePolicies
  '2.5.29.35', // authorityKeyIdentifier
  '2.5.29.37', // extKeyUsage
  '2.5.29.14', // subjectKeyIdentifier
  '1.3.6.1.5.5.7.1.1', // authorityInfoAccess
  '2.5.29.36', // policyConstraints
  '2.5.29.33', // policyMappings
  '2.5.29.54', // inhibitAnyPolicy
]);

/** Whether an Extension SEQUENCE { extnID, critical DEFAULT FALSE, extnValue } is marked critical. */
function isCritical(extension: ASN1Obj): boolean {
  return extension.subs.length === 3 && extension.subs[1]?.toBoolean() === true;
}

/** The OIDs of the critical extensions (Extension SEQUENCEs of a certificate) outside HANDLED_EXTENSIONS, in order. */
export function toUnhandledCriticalExtensions(extensions: readonly ASN1Obj[]): string[] {
  const unhandled: string[] = [];
  for (const extension of extensions) {
    if (!isCritical(extension)) continue;
    const oid = extension.subs[0]?.toOID() ?? '';
    if (!HANDLED_EXTENSIONS.has(oid)) unhandled.push(oid);
  }
  return unhandled;
}
