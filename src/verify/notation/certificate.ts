/**
 * X.509 certificates as notation-core-go reads them: node:crypto for keys
 * and signatures, @sigstore/core's ASN.1 view for what Node does not expose
 * (extensions with their criticality, raw names, subject attributes).
 */
import { X509Certificate as NodeCertificate, createHash, type KeyObject } from 'node:crypto';
import { ASN1Obj, X509Certificate as Asn1Certificate } from '@sigstore/core';
import { toUnhandledCriticalExtensions } from '../x509-extensions.ts';

const OID_KEY_USAGE = '2.5.29.15';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_EXT_KEY_USAGE = '2.5.29.37';

/** RFC 5280 §4.2.1.3 bit positions. */
export const KEY_USAGE_BITS = {
  digitalSignature: 0, contentCommitment: 1, keyEncipherment: 2, dataEncipherment: 3, keyAgreement: 4,
  keyCertSign: 5, cRLSign: 6, encipherOnly: 7, decipherOnly: 8,
} as const;
export type KeyUsageName = keyof typeof KEY_USAGE_BITS;

/** Signature algorithms Go's x509 still verifies (SHA-1 and MD5 are refused as insecure). */
const ACCEPTED_SIGNATURE_ALGORITHMS = new Set([
  '1.2.840.113549.1.1.11', '1.2.840.113549.1.1.12', '1.2.840.113549.1.1.13', // sha256/384/512WithRSAEncryption
  '1.2.840.113549.1.1.10', // RSASSA-PSS
  '1.2.840.10045.4.3.2', '1.2.840.10045.4.3.3', '1.2.840.10045.4.3.4', // ecdsa-with-SHA256/384/512
  '1.3.101.112', // Ed25519
]);

/** Subject attribute types Go's pkix.Name keeps by name (crypto/x509/pkix attributeTypeNames). */
export const NAMED_ATTRIBUTES: Readonly<Record<string, string>> = {
  '2.5.4.6': 'C', '2.5.4.8': 'ST', '2.5.4.7': 'L', '2.5.4.9': 'STREET', '2.5.4.17': 'POSTALCODE',
  '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.3': 'CN', '2.5.4.5': 'SERIALNUMBER',
};

/** One attribute of a certificate name; `value` is undefined when it is not a string type Go decodes. */
export interface NameAttribute {
  readonly oid: string;
  readonly value: string | undefined;
  /** Index of the RDN (SET) it belongs to. */
  readonly rdn: number;
}

export class CertificateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertificateError';
  }
}

export interface Certificate {
  readonly der: Uint8Array;
  readonly node: NodeCertificate;
  /** Go-style `Subject.String()` for messages. */
  readonly subject: string;
  readonly rawSubject: Uint8Array;
  readonly rawIssuer: Uint8Array;
  readonly subjectAttributes: readonly NameAttribute[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly publicKey: KeyObject;
  readonly signatureAlgorithmOid: string;
  /** undefined when the extension is absent. */
  readonly keyUsage: { readonly critical: boolean; readonly bits: ReadonlySet<KeyUsageName> } | undefined;
  readonly basicConstraints: { readonly critical: boolean; readonly isCA: boolean; readonly maxPathLen: number | undefined } | undefined;
  readonly extKeyUsage: readonly string[] | undefined;
  /** OIDs of critical extensions Go's x509 does not handle (x509-extensions.ts), in order. */
  readonly unhandledCriticalExtensions: readonly string[];
}

function decodeString(object: ASN1Obj): string | undefined {
  switch (object.tag.number) {
    case 12: // UTF8String
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(object.value);
      } catch {
        return undefined;
      }
    case 18: case 19: case 22: case 20: // Numeric, Printable, IA5, T61
      return object.value.toString('latin1');
    case 30: { // BMPString, UCS-2 big-endian
      if (object.value.length % 2 !== 0) return undefined;
      let text = '';
      for (let i = 0; i < object.value.length; i += 2) text += String.fromCharCode(object.value.readUInt16BE(i));
      return text;
    }
    default:
      return undefined;
  }
}

function readName(name: ASN1Obj): NameAttribute[] {
  const attributes: NameAttribute[] = [];
  name.subs.forEach((set, rdn) => {
    for (const pair of set.subs) {
      const [type, value] = pair.subs;
      if (type === undefined || value === undefined) throw new CertificateError('malformed name attribute');
      attributes.push({ oid: type.toOID(), value: decodeString(value), rdn });
    }
  });
  return attributes;
}

function escapeValue(value: string): string {
  let escaped = '';
  for (let index = 0; index < value.length; index++) {
    const char = value.charAt(index);
    const special = ',+"\\<>;'.includes(char) || (char === ' ' && (index === 0 || index === value.length - 1)) || (char === '#' && index === 0);
    escaped += special ? `\\${char}` : char;
  }
  return escaped;
}

/** A Go-like rendering (last RDN first, `,` between RDNs) for messages only. */
function toNameString(attributes: readonly NameAttribute[]): string {
  const rdns = new Map<number, string[]>();
  for (const attribute of attributes) {
    const type = NAMED_ATTRIBUTES[attribute.oid] ?? attribute.oid;
    const list = rdns.get(attribute.rdn) ?? [];
    list.push(`${type}=${escapeValue(attribute.value ?? '?')}`);
    rdns.set(attribute.rdn, list);
  }
  return [...rdns.entries()].sort(([a], [b]) => b - a).map(([, list]) => list.join('+')).join(',');
}

function tbsParts(root: ASN1Obj): { issuer: ASN1Obj; subject: ASN1Obj; signatureAlgorithm: string } {
  const tbs = root.subs[0];
  const outerAlgorithm = root.subs[1]?.subs[0];
  if (tbs === undefined || outerAlgorithm === undefined) throw new CertificateError('malformed certificate');
  const offset = tbs.subs[0]?.tag.isContextSpecific(0) === true ? 1 : 0;
  const innerAlgorithm = tbs.subs[offset + 1]?.subs[0];
  const issuer = tbs.subs[offset + 2];
  const subject = tbs.subs[offset + 4];
  if (innerAlgorithm === undefined || issuer === undefined || subject === undefined) throw new CertificateError('malformed certificate');
  const signatureAlgorithm = outerAlgorithm.toOID();
  // RFC 5280 §4.1.1.2: the outer and inner algorithm identifiers must match (Go checks this too).
  if (innerAlgorithm.toOID() !== signatureAlgorithm) throw new CertificateError('signature algorithm fields do not match');
  return { issuer, subject, signatureAlgorithm };
}

function readExtensions(parsed: Asn1Certificate): Pick<Certificate, 'keyUsage' | 'basicConstraints' | 'extKeyUsage'> {
  const seen = new Set<string>();
  let keyUsage: Certificate['keyUsage'];
  let basicConstraints: Certificate['basicConstraints'];
  let extKeyUsage: Certificate['extKeyUsage'];
  for (const extension of parsed.extensions) {
    const oid = extension.subs[0]?.toOID() ?? '';
    if (seen.has(oid)) throw new CertificateError(`duplicate extension ${oid}`);
    seen.add(oid);
    const critical = extension.subs.length === 3 && extension.subs[1]?.toBoolean() === true;
    const valueObject = extension.subs[extension.subs.length - 1];
    if (!valueObject?.tag.isOctetString()) throw new CertificateError(`malformed extension ${oid}`);
    const value = ASN1Obj.parseBuffer(Buffer.from(valueObject.value));
    if (oid === OID_KEY_USAGE) {
      const bitList = value.toBitString();
      const bits = new Set<KeyUsageName>();
      for (const [name, position] of Object.entries(KEY_USAGE_BITS) as [KeyUsageName, number][]) {
        if (bitList[position] === 1) bits.add(name);
      }
      keyUsage = { critical, bits };
    } else if (oid === OID_BASIC_CONSTRAINTS) {
      let isCA = false;
      let maxPathLen: number | undefined;
      for (const member of value.subs) {
        if (member.tag.isBoolean()) isCA = member.toBoolean();
        else if (member.tag.isInteger()) {
          const length = member.toInteger();
          if (length < 0n || length > 1_000_000n) throw new CertificateError('invalid basic constraints path length');
          maxPathLen = Number(length);
        }
      }
      basicConstraints = { critical, isCA, maxPathLen };
    } else if (oid === OID_EXT_KEY_USAGE) {
      extKeyUsage = value.subs.map((member) => member.toOID());
    }
  }
  return { keyUsage, basicConstraints, extKeyUsage };
}

/** Parses one DER certificate; throws CertificateError when it cannot be used at all. */
export function parseCertificate(der: Uint8Array): Certificate {
  const buffer = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  let node: NodeCertificate;
  let parsed: Asn1Certificate;
  try {
    node = new NodeCertificate(buffer);
    parsed = Asn1Certificate.parse(Buffer.from(der));
  } catch (error) {
    throw new CertificateError(`not a valid X.509 certificate: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    const { issuer, subject, signatureAlgorithm } = tbsParts(parsed.root);
    const subjectAttributes = readName(subject);
    return {
      der: new Uint8Array(buffer),
      node,
      subject: toNameString(subjectAttributes),
      rawSubject: subject.toDER(),
      rawIssuer: issuer.toDER(),
      subjectAttributes,
      notBefore: parsed.notBefore,
      notAfter: parsed.notAfter,
      publicKey: node.publicKey,
      signatureAlgorithmOid: signatureAlgorithm,
      ...readExtensions(parsed),
      unhandledCriticalExtensions: toUnhandledCriticalExtensions(parsed.extensions),
    };
  } catch (error) {
    if (error instanceof CertificateError) throw error;
    throw new CertificateError(`malformed certificate: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Whether `parent` issued `child`, as Go's CheckSignatureFrom decides: the
 * names chain, the parent may sign certificates (basicConstraints cA, and
 * keyCertSign when keyUsage is present), and the signature verifies with an
 * algorithm Go still accepts.
 */
export function isIssuedBy(child: Certificate, parent: Certificate): boolean {
  if (!Buffer.from(child.rawIssuer).equals(Buffer.from(parent.rawSubject))) return false;
  if (parent.basicConstraints?.isCA !== true) return false;
  if (parent.keyUsage !== undefined && !parent.keyUsage.bits.has('keyCertSign')) return false;
  return hasValidSignatureFrom(child, parent);
}

/** The certificate's own signature verifies with `issuer`'s key (no constraint checks; Go's CheckSignature). */
export function hasValidSignatureFrom(child: Certificate, issuer: Certificate): boolean {
  if (!ACCEPTED_SIGNATURE_ALGORITHMS.has(child.signatureAlgorithmOid)) return false;
  try {
    return child.node.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** Lowercase hex SHA-256 of the DER (notation's chain thumbprint). */
export function toThumbprint(certificate: Certificate | Uint8Array): string {
  return createHash('sha256').update(certificate instanceof Uint8Array ? certificate : certificate.der).digest('hex');
}

/**
 * Certificates from a file's bytes the way notation-core-go reads trust
 * store and chain files: PEM `CERTIFICATE` blocks when the text has any PEM
 * block, else one DER certificate.
 */
export function splitCertificates(bytes: Uint8Array): Uint8Array[] {
  const text = Buffer.from(bytes).toString('latin1');
  if (!text.includes('-----BEGIN')) return [bytes];
  const blocks: Uint8Array[] = [];
  const pattern = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n\t ]*?)-----END \1-----/g;
  let consumed = '';
  for (const match of text.matchAll(pattern)) {
    consumed += match[0];
    if (match[1] !== 'CERTIFICATE') throw new CertificateError(`unexpected PEM block "${match[1] ?? ''}", expected CERTIFICATE`);
    const body = (match[2] ?? '').replace(/\s+/g, '');
    const der = Buffer.from(body, 'base64');
    if (der.toString('base64') !== body) throw new CertificateError('PEM block is not valid base64');
    blocks.push(new Uint8Array(der));
  }
  if (blocks.length === 0 || text.split('-----BEGIN').length - 1 !== blocks.length || consumed === '') {
    throw new CertificateError('malformed PEM');
  }
  return blocks;
}
