// A tiny DER writer and certificate factory for the notation tests: every
// extension, criticality and validity period can be chosen exactly, without
// spawning openssl. Keys are generated once and reused.
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

type Der = Buffer;

function length(size: number): Buffer {
  if (size < 0x80) return Buffer.of(size);
  const bytes: number[] = [];
  for (let rest = size; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...content: Buffer[]): Der {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.of(tag), length(body.length), body]);
}

export const seq = (...items: Buffer[]): Der => tlv(0x30, ...items);
export const set = (...items: Buffer[]): Der => tlv(0x31, ...items);
export const octets = (bytes: Buffer): Der => tlv(0x04, bytes);
export const bool = (value: boolean): Der => tlv(0x01, Buffer.of(value ? 0xff : 0));
export const utf8 = (text: string): Der => tlv(0x0c, Buffer.from(text, 'utf8'));
export const printable = (text: string): Der => tlv(0x13, Buffer.from(text, 'latin1'));
export const ia5 = (text: string): Der => tlv(0x16, Buffer.from(text, 'latin1'));
export const explicit = (n: number, inner: Buffer): Der => tlv(0xa0 + n, inner);
export const nullValue = (): Der => Buffer.of(0x05, 0x00);

export function integer(value: bigint | number): Der {
  let hex = BigInt(value).toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.of(0), bytes]);
  return tlv(0x02, bytes);
}

export function oid(text: string): Der {
  const parts = text.split('.').map(Number);
  const bytes: number[] = [(parts[0] ?? 0) * 40 + (parts[1] ?? 0)];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [part & 0x7f];
    for (let rest = part >> 7; rest > 0; rest >>= 7) chunk.unshift((rest & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

export function bitString(bits: readonly number[]): Der {
  const byteCount = Math.max(1, Math.ceil((Math.max(-1, ...bits) + 1) / 8));
  const bytes = Buffer.alloc(byteCount);
  for (const bit of bits) bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) | (0x80 >> (bit & 7));
  // DER: unused bits = trailing zero bits of the last byte.
  let unused = 0;
  const last = bytes[byteCount - 1] ?? 0;
  if (last === 0) unused = 0;
  else while (((last >> unused) & 1) === 0) unused++;
  return tlv(0x03, Buffer.of(unused), bytes);
}

function time(date: Date): Der {
  const iso = date.toISOString().replace(/[-:T]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2), 'latin1')) : tlv(0x18, Buffer.from(iso, 'latin1'));
}

export const OIDS = {
  C: '2.5.4.6', ST: '2.5.4.8', L: '2.5.4.7', O: '2.5.4.10', OU: '2.5.4.11', CN: '2.5.4.3', EMAIL: '1.2.840.113549.1.9.1',
  serverAuth: '1.3.6.1.5.5.7.3.1', clientAuth: '1.3.6.1.5.5.7.3.2', codeSigning: '1.3.6.1.5.5.7.3.3', emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8', ocspSigning: '1.3.6.1.5.5.7.3.9',
} as const;

export const KU = {
  digitalSignature: 0, contentCommitment: 1, keyEncipherment: 2, dataEncipherment: 3, keyAgreement: 4, keyCertSign: 5, cRLSign: 6,
} as const;

export type NameSpec = readonly (readonly [string, string] | readonly (readonly [string, string])[])[];

/** Each entry is one RDN: `[type, value]`, or a list of them for a multi-valued RDN. Types are keys of OIDS or dotted OIDs. */
export function name(spec: NameSpec): Der {
  const attribute = ([type, value]: readonly [string, string]): Der => {
    const id = (OIDS as Record<string, string>)[type] ?? type;
    const encoded = type === 'C' ? printable(value) : type === 'EMAIL' ? ia5(value) : utf8(value);
    return seq(oid(id), encoded);
  };
  return seq(...spec.map((rdn) => (typeof rdn[0] === 'string' ? set(attribute(rdn as readonly [string, string])) : set(...(rdn as readonly (readonly [string, string])[]).map(attribute)))));
}

export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

const keys = new Map<string, KeyPair>();

/** A cached key pair: `rsa2048`, `rsa3072`, `rsa1024`, `p256`, `p384`, `p521`, `secp256k1`; `#n` suffix for distinct keys. */
export function keyPair(kind: string): KeyPair {
  const cached = keys.get(kind);
  if (cached !== undefined) return cached;
  const base = kind.split('#')[0] ?? kind;
  let pair: KeyPair;
  if (base.startsWith('rsa')) pair = generateKeyPairSync('rsa', { modulusLength: Number(base.slice(3)) });
  else {
    const curve = { p256: 'prime256v1', p384: 'secp384r1', p521: 'secp521r1', secp256k1: 'secp256k1' }[base] ?? base;
    pair = generateKeyPairSync('ec', { namedCurve: curve });
  }
  keys.set(kind, pair);
  return pair;
}

export interface CertificateSpec {
  readonly subject: NameSpec;
  readonly key: KeyPair;
  /** Issuer certificate and key; omitted: self-signed. */
  readonly issuer?: { readonly certificate: IssuedCertificate };
  readonly serial?: number;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** undefined: no extension. */
  readonly basicConstraints?: { readonly ca: boolean; readonly pathLen?: number; readonly critical?: boolean } | undefined;
  readonly keyUsage?: { readonly bits: readonly number[]; readonly critical?: boolean } | undefined;
  readonly extKeyUsage?: { readonly oids: readonly string[]; readonly critical?: boolean } | undefined;
  readonly hash?: 'sha1' | 'sha256' | 'sha384';
}

export interface IssuedCertificate {
  readonly der: Buffer;
  readonly pem: string;
  readonly spec: CertificateSpec;
  readonly subjectName: Der;
}

const RSA_SIGNATURES = { sha1: '1.2.840.113549.1.1.5', sha256: '1.2.840.113549.1.1.11', sha384: '1.2.840.113549.1.1.12' } as const;
const EC_SIGNATURES = { sha1: '1.2.840.10045.4.1', sha256: '1.2.840.10045.4.3.2', sha384: '1.2.840.10045.4.3.3' } as const;

function extension(id: string, critical: boolean, value: Der): Der {
  return seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
}

export function certificate(spec: CertificateSpec): IssuedCertificate {
  const subjectName = name(spec.subject);
  const issuerName = spec.issuer?.certificate.subjectName ?? subjectName;
  const signingKey = spec.issuer?.certificate.spec.key.privateKey ?? spec.key.privateKey;
  const hash = spec.hash ?? 'sha256';
  const isRsa = signingKey.asymmetricKeyType === 'rsa';
  const algorithm = isRsa ? seq(oid(RSA_SIGNATURES[hash]), nullValue()) : seq(oid(EC_SIGNATURES[hash]));
  const extensions: Der[] = [];
  if (spec.basicConstraints !== undefined) {
    const { ca, pathLen, critical = true } = spec.basicConstraints;
    extensions.push(extension('2.5.29.19', critical, seq(...(ca ? [bool(true)] : []), ...(pathLen === undefined ? [] : [integer(pathLen)]))));
  }
  if (spec.keyUsage !== undefined) extensions.push(extension('2.5.29.15', spec.keyUsage.critical ?? true, bitString(spec.keyUsage.bits)));
  if (spec.extKeyUsage !== undefined) extensions.push(extension('2.5.29.37', spec.extKeyUsage.critical ?? false, seq(...spec.extKeyUsage.oids.map(oid))));
  const notBefore = spec.notBefore ?? new Date(Date.now() - 3_600_000);
  const notAfter = spec.notAfter ?? new Date(Date.now() + 365 * 86_400_000);
  const tbs = seq(
    explicit(0, integer(2)),
    integer(spec.serial ?? Number.parseInt(createHash('sha256').update(subjectName).digest('hex').slice(0, 8), 16)),
    algorithm,
    issuerName,
    seq(time(notBefore), time(notAfter)),
    subjectName,
    spec.key.publicKey.export({ type: 'spki', format: 'der' }),
    ...(extensions.length === 0 ? [] : [explicit(3, seq(...extensions))]),
  );
  const signature = sign(hash, tbs, signingKey);
  const der = seq(tbs, algorithm, tlv(0x03, Buffer.of(0), signature));
  const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
  return { der, pem, spec, subjectName };
}

export const LEAF_SUBJECT: NameSpec = [['C', 'US'], ['ST', 'WA'], ['L', 'Seattle'], ['O', 'Acme'], ['CN', 'signer.acme.test']];

/** A root CA → leaf chain (EC P-256 leaf unless `leafKey` says otherwise) with notation's test-cert extensions. */
export function codeSigningChain(options: {
  readonly leafKey?: string; readonly rootKey?: string; readonly leaf?: Partial<CertificateSpec>; readonly root?: Partial<CertificateSpec>;
  readonly subject?: NameSpec;
  /** Issue the leaf from this existing root instead of a new one. */
  readonly rootCertificate?: IssuedCertificate;
} = {}): { root: IssuedCertificate; leaf: IssuedCertificate; leafKey: KeyPair } {
  const root = options.rootCertificate ?? certificate({
    subject: [['C', 'US'], ['ST', 'WA'], ['O', 'Acme'], ['CN', 'Acme Root']],
    key: keyPair(options.rootKey ?? 'p256#root'),
    basicConstraints: { ca: true },
    keyUsage: { bits: [KU.keyCertSign, KU.cRLSign] },
    ...options.root,
  });
  const leafKey = keyPair(options.leafKey ?? 'p256#leaf');
  const leaf = certificate({
    subject: options.subject ?? LEAF_SUBJECT,
    key: leafKey,
    issuer: { certificate: root },
    basicConstraints: { ca: false },
    keyUsage: { bits: [KU.digitalSignature] },
    extKeyUsage: { oids: [OIDS.codeSigning] },
    ...options.leaf,
  });
  return { root, leaf, leafKey };
}
