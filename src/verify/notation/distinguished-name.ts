/**
 * Distinguished names the way notation compares them
 * (notation-go internal/pkix/pkix.go; research/signatures.md §6.6):
 * an RFC 4514 string becomes a map of attribute type → value, with `S` an
 * alias of `ST`; multi-valued RDNs, repeated types and `=#` (hex BER values,
 * CVE-2023-25656) are refused; C, ST and O are mandatory. Types are
 * case-sensitive (`cn=` is not `CN=`).
 */
import { NAMED_ATTRIBUTES, type Certificate } from './certificate.ts';

export type DistinguishedName = ReadonlyMap<string, string>;

export class DistinguishedNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DistinguishedNameError';
  }
}

const MANDATORY = ['C', 'ST', 'O'] as const;
const MAX_LENGTH = 4096;
const TYPE = /^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)*)$/;
const SPECIAL = ',+"\\<>;=# ';

interface Attribute {
  readonly type: string;
  readonly value: string;
}

function shown(name: string): string {
  return JSON.stringify(name.length > 200 ? `${name.slice(0, 200)}…` : name);
}

/** Splits RFC 4514 text into RDNs of attributes, unescaping values. */
function splitRdns(name: string): Attribute[][] {
  const rdns: Attribute[][] = [];
  let attributes: Attribute[] = [];
  let position = 0;
  const fail = (reason: string): never => {
    throw new DistinguishedNameError(`parsing distinguished name (DN) ${shown(name)} failed: ${reason}. A valid DN must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum, and follow RFC 4514 standard`);
  };
  while (position <= name.length) {
    const equals = name.indexOf('=', position);
    if (equals < 0) fail('attribute without "="');
    const type = name.slice(position, equals).trim();
    if (!TYPE.test(type)) fail(`invalid attribute type ${JSON.stringify(type)}`);
    position = equals + 1;
    while (name.charAt(position) === ' ') position++;
    if (name.charAt(position) === '#') fail('hex-encoded attribute values are not supported');
    let value = '';
    let trailingSpaces = 0;
    let separator = '';
    while (position < name.length) {
      const char = name.charAt(position);
      if (char === ',' || char === '+') {
        separator = char;
        position++;
        break;
      }
      if (char === '\\') {
        const next = name.charAt(position + 1);
        const hex = name.slice(position + 1, position + 3);
        if (next !== '' && SPECIAL.includes(next)) {
          value += next;
          position += 2;
        } else if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
          // A run of \XX escapes is UTF-8 (RFC 4514 §2.4).
          const bytes: number[] = [];
          while (/^\\[0-9A-Fa-f]{2}$/.test(name.slice(position, position + 3))) {
            bytes.push(Number.parseInt(name.slice(position + 1, position + 3), 16));
            position += 3;
          }
          try {
            value += new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
          } catch {
            fail('escaped bytes are not UTF-8');
          }
        } else {
          fail('invalid escape');
        }
        trailingSpaces = 0;
        continue;
      }
      if (char === '"' || char === ';' || char === '<' || char === '>' || char === '=') fail(`unescaped ${JSON.stringify(char)} in a value`);
      value += char;
      trailingSpaces = char === ' ' ? trailingSpaces + 1 : 0;
      position++;
    }
    // Unescaped trailing spaces are not part of the value.
    if (trailingSpaces > 0) value = value.slice(0, value.length - trailingSpaces);
    attributes.push({ type, value });
    if (separator !== '+') {
      rdns.push(attributes);
      attributes = [];
    }
    if (separator === '') break;
    if (position >= name.length) fail('empty attribute after a separator');
  }
  return rdns;
}

function toMap(name: string, rdns: readonly (readonly Attribute[])[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const rdn of rdns) {
    if (rdn.length > 1) {
      throw new DistinguishedNameError(`distinguished name (DN) ${shown(name)} has multi-valued RDN attributes, remove multi-valued RDN attributes as they are not supported`);
    }
    for (const attribute of rdn) {
      const type = attribute.type === 'S' ? 'ST' : attribute.type;
      if (map.has(type)) {
        throw new DistinguishedNameError(`distinguished name (DN) ${shown(name)} has duplicate RDN attribute for "${type}", DN can only have unique RDN attributes`);
      }
      map.set(type, attribute.value);
    }
  }
  for (const type of MANDATORY) {
    if (!map.has(type)) {
      throw new DistinguishedNameError(`distinguished name (DN) ${shown(name)} has no mandatory RDN attribute for "${type}", it must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum`);
    }
  }
  return map;
}

/** Parses a trust-policy `x509.subject:` value; throws DistinguishedNameError. */
export function parseDistinguishedName(name: string): DistinguishedName {
  if (name.includes('=#')) {
    throw new DistinguishedNameError(`unsupported distinguished name (DN) ${shown(name)}: notation does not support x509.subject identities containing "=#"`);
  }
  if (name.length > MAX_LENGTH) throw new DistinguishedNameError(`distinguished name (DN) is longer than ${String(MAX_LENGTH)} characters`);
  return toMap(name, splitRdns(name));
}

/**
 * The leaf subject as notation sees it: Go renders `Subject.String()`
 * (non-string values of the named types dropped; other attribute types as
 * `OID=#hex`; repeated types as one multi-valued RDN) and notation parses
 * that string with the rules above. So any attribute outside Go's named set
 * (e.g. emailAddress) makes the subject unparseable, as does a repeated type
 * or a value containing `=#`.
 */
export function toCertificateSubject(certificate: Certificate): DistinguishedName {
  const rdns: Attribute[][] = [];
  const byType = new Map<string, Attribute[]>();
  for (const attribute of certificate.subjectAttributes) {
    const type = NAMED_ATTRIBUTES[attribute.oid];
    if (type === undefined) {
      throw new DistinguishedNameError(`unsupported distinguished name (DN) ${shown(certificate.subject)}: attribute ${attribute.oid} renders as "=#"`);
    }
    if (attribute.value === undefined) continue;
    // Go escapes only a leading "#" and never "=", so a value holding "=#" reaches notation's
    // ParseDistinguishedName as "=#", which it refuses (CVE-2023-25656; e.g. "CN=Bad=#CN").
    if (attribute.value.includes('=#')) {
      throw new DistinguishedNameError(`unsupported distinguished name (DN) ${shown(certificate.subject)}: notation does not support x509.subject identities containing "=#"`);
    }
    const list = byType.get(type) ?? [];
    if (list.length === 0) rdns.push(list);
    list.push({ type, value: attribute.value });
    byType.set(type, list);
  }
  return toMap(certificate.subject, rdns);
}

/** Whether every attribute of `policy` appears with the same value in `subject` (notation's isSubsetOf). */
export function isSubsetOf(policy: DistinguishedName, subject: DistinguishedName): boolean {
  for (const [type, value] of policy) if (subject.get(type) !== value) return false;
  return true;
}
