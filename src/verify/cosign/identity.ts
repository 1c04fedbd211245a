/**
 * Keyless signer identity (research/signatures.md §5.1): every Subject
 * Alternative Name of the leaf certificate (email, URI, DNS, IP, and the
 * Fulcio username OtherName 1.3.6.1.4.1.57264.1.7, as sigstore's
 * cryptoutils.GetSubjectAlternateNames lists them) and the OIDC issuer
 * (extension .1.8, a DER UTF8String, else the deprecated .1.1, raw bytes).
 *
 * Matching is Flux's `matchOIDCIdentity`: a list of {subject, issuer}
 * regular expressions, each ANCHORED to the whole value, any entry
 * matching is enough. Anchoring is stricter than cosign's unanchored
 * `--certificate-identity-regexp` and closes the `.*@corp.com` vs
 * `x@corp.com.evil.io` trap; an exact `subject`/`issuer` is cosign's
 * `--certificate-identity`/`--certificate-oidc-issuer`.
 */
import type { ASN1Obj, X509Certificate } from '@sigstore/core';
import { configInvalid } from '../errors.ts';
import { OID_ISSUER_V1, OID_ISSUER_V2, OID_OTHERNAME_SAN, OID_SUBJECT_ALT_NAME } from './constants.ts';

/** One accepted identity; per pair exactly one of the exact value or the regular expression. */
export interface CosignIdentity {
  /** `--certificate-identity`: a SAN, compared exactly. */
  readonly subject?: string;
  /** `--certificate-identity-regexp` / Flux `matchOIDCIdentity[].subject`: anchored. */
  readonly subjectRegExp?: string;
  /** `--certificate-oidc-issuer`: compared exactly. */
  readonly issuer?: string;
  /** `--certificate-oidc-issuer-regexp` / Flux `matchOIDCIdentity[].issuer`: anchored. */
  readonly issuerRegExp?: string;
}

export type ValueMatcher = (value: string) => boolean;

export interface CompiledIdentity {
  readonly subject: ValueMatcher;
  readonly issuer: ValueMatcher;
}

export interface CertificateIdentity {
  readonly sans: readonly string[];
  readonly issuer: string | undefined;
}

function compileMatcher(exact: string | undefined, pattern: string | undefined, field: string): ValueMatcher {
  if (exact !== undefined && pattern !== undefined) throw configInvalid(`${field}: set either the exact value or the regular expression, not both`);
  if (exact !== undefined) {
    if (exact === '') throw configInvalid(`${field}: empty`);
    return (value) => value === exact;
  }
  if (pattern === undefined || pattern === '') throw configInvalid(`${field}: missing`);
  let regexp: RegExp;
  try {
    regexp = new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    throw configInvalid(`${field}: invalid regular expression`);
  }
  return (value) => regexp.test(value);
}

/** Compiles the identity list; an empty list is an error, never "accept anyone". */
export function compileIdentities(identities: readonly CosignIdentity[] | undefined, field = 'keyless.identities'): CompiledIdentity[] {
  if (identities === undefined || identities.length === 0) throw configInvalid(`${field}: at least one identity is required`);
  return identities.map((identity, index) => ({
    subject: compileMatcher(identity.subject, identity.subjectRegExp, `${field}[${String(index)}].subject`),
    issuer: compileMatcher(identity.issuer, identity.issuerRegExp, `${field}[${String(index)}].issuer`),
  }));
}

function toSanValue(name: ASN1Obj): string | undefined {
  if (name.tag.class !== 2) return undefined;
  switch (name.tag.number) {
    case 0: {
      // otherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY }
      const [oid, value] = name.subs;
      if (oid === undefined || value === undefined || oid.toOID() !== OID_OTHERNAME_SAN) return undefined;
      return value.subs[0]?.value.toString('utf8');
    }
    case 1: // rfc822Name
    case 2: // dNSName
    case 6: // uniformResourceIdentifier
      return name.value.toString('utf8');
    case 7: // iPAddress
      return toIpString(name.value);
    default:
      return undefined;
  }
}

function toIpString(bytes: Buffer): string | undefined {
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
    return groups.join(':');
  }
  return undefined;
}

/** The SANs and OIDC issuer of a certificate. Throws on a malformed extension (the caller rejects). */
export function toCertificateIdentity(certificate: X509Certificate): CertificateIdentity {
  const sans: string[] = [];
  const san = certificate.extension(OID_SUBJECT_ALT_NAME);
  if (san !== undefined) {
    // extnValue is an OCTET STRING wrapping GeneralNames ::= SEQUENCE OF GeneralName (RFC 5280 §4.2.1.6).
    const names = san.valueObj.subs[0];
    if (names === undefined) throw new Error('malformed subjectAltName');
    for (const name of names.subs) {
      const value = toSanValue(name);
      if (value !== undefined) sans.push(value);
    }
  }
  let issuer: string | undefined;
  const v2 = certificate.extension(OID_ISSUER_V2);
  if (v2 !== undefined) {
    // extnValue wraps a DER UTF8String (tag 12).
    const value = v2.valueObj.subs[0];
    if (value?.tag.number !== 12 || value.tag.class !== 0) throw new Error('malformed OIDC issuer extension');
    issuer = value.value.toString('utf8');
  } else {
    issuer = certificate.extension(OID_ISSUER_V1)?.value.toString('utf8');
  }
  return { sans, issuer };
}

/** True when some identity's subject matches some SAN and its issuer matches the issuer. */
export function matchesIdentity(identities: readonly CompiledIdentity[], identity: CertificateIdentity): boolean {
  const { issuer } = identity;
  if (issuer === undefined) return false;
  return identities.some((accepted) => accepted.issuer(issuer) && identity.sans.some((san) => accepted.subject(san)));
}
