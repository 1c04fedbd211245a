/**
 * What both envelope formats carry once parsed, the signed-attribute rules
 * they share (crit, signing scheme, time headers; research/signatures.md
 * §6.3, §6.4) and the integrity check of notation-core-go
 * signature/internal/base/envelope.go: chain rules, algorithm bound to the
 * leaf key, signature over the exact received bytes.
 */
import type { RejectionCode } from '../types.ts';
import { describeKey, toSignatureAlgorithm, verifySignature, type PssSaltRule, type SignatureAlgorithm } from './algorithms.ts';
import { CertificateError, parseCertificate, type Certificate } from './certificate.ts';
import { assertCodeSigningChain, ChainError } from './chain.ts';
import {
  HEADER_AUTHENTIC_SIGNING_TIME, HEADER_EXPIRY, HEADER_SIGNING_SCHEME, HEADER_SIGNING_TIME, HEADER_VERIFICATION_PLUGIN,
  HEADER_VERIFICATION_PLUGIN_MIN_VERSION, NOTATION_PAYLOAD_MEDIA_TYPE, SIGNING_SCHEME_SIGNING_AUTHORITY, SIGNING_SCHEME_X509,
  type SigningScheme,
} from './constants.ts';

export type EnvelopeFormat = 'jws' | 'cose';

/** An envelope problem: the signature does not count; `code` is the verdict code it maps to. */
export class EnvelopeError extends Error {
  readonly code: RejectionCode;

  constructor(message: string, code: RejectionCode = 'SIGNATURE_INVALID') {
    super(message);
    this.name = 'EnvelopeError';
    this.code = code;
  }
}

/** The signed attributes, already type-checked. */
export interface SignedAttributes {
  readonly signingScheme: SigningScheme;
  readonly signingTime?: Date;
  readonly authenticSigningTime?: Date;
  readonly expiry?: Date;
}

/** A parsed envelope, not yet verified. */
export interface Envelope extends SignedAttributes {
  readonly format: EnvelopeFormat;
  readonly algorithm: SignatureAlgorithm;
  readonly payload: Uint8Array;
  /** The certificates in envelope order (leaf first), DER. */
  readonly certificateChain: readonly Uint8Array[];
  readonly signature: Uint8Array;
  /** The bytes the signature covers (JWS signing input, COSE Sig_structure). */
  readonly signedBytes: Uint8Array;
  readonly saltRule: PssSaltRule;
  /** RFC 3161 TimeStampToken (DER) over `signature`, when present. */
  readonly timestampToken?: Uint8Array;
  readonly signingAgent?: string;
}

/** What the headers say before their types are checked, by header name. */
export interface RawSignedHeaders {
  /** Every protected header name present. */
  readonly names: ReadonlySet<string>;
  readonly contentType: unknown;
  readonly signingScheme: unknown;
  readonly signingTime: Date | undefined;
  readonly authenticSigningTime: Date | undefined;
  readonly expiry: Date | undefined;
  /** The `crit` entries, or undefined when the header is absent. */
  readonly critical: readonly (string | number)[] | undefined;
}

function assertCritical(headers: RawSignedHeaders): void {
  const critical = headers.critical;
  if (critical === undefined || critical.length === 0) throw new EnvelopeError('missing "crit" header');
  const required = new Set<string>([HEADER_SIGNING_SCHEME]);
  if (headers.expiry !== undefined) required.add(HEADER_EXPIRY);
  if (headers.authenticSigningTime !== undefined) required.add(HEADER_AUTHENTIC_SIGNING_TIME);
  const seen = new Set<string | number>();
  for (const entry of critical) {
    if (seen.has(entry)) throw new EnvelopeError(`"crit" header lists ${JSON.stringify(entry)} twice`);
    seen.add(entry);
    if (typeof entry !== 'string' || !headers.names.has(entry)) {
      throw new EnvelopeError(`${JSON.stringify(entry)} header is marked critical but not present`);
    }
    // Only the attributes bob understands may be critical (the spec says a verifier
    // MUST reject unknown critical attributes; notation would hand them to a plugin).
    if (!required.has(entry)) throw new EnvelopeError(`${JSON.stringify(entry)} header is marked critical but is not supported`);
    required.delete(entry);
  }
  if (required.size > 0) {
    throw new EnvelopeError(`these required headers are not marked as critical: ${[...required].map((name) => JSON.stringify(name)).join(', ')}`);
  }
}

/** The shared protected-header rules; returns the typed attributes. */
export function toSignedAttributes(headers: RawSignedHeaders): SignedAttributes {
  if (headers.contentType !== NOTATION_PAYLOAD_MEDIA_TYPE) {
    throw new EnvelopeError(`payload content type ${JSON.stringify(headers.contentType)} not supported`, 'PAYLOAD_INVALID');
  }
  for (const plugin of [HEADER_VERIFICATION_PLUGIN, HEADER_VERIFICATION_PLUGIN_MIN_VERSION]) {
    if (headers.names.has(plugin)) throw new EnvelopeError(`signature requires a verification plugin (${plugin}), which bob does not support`);
  }
  const scheme = headers.signingScheme;
  if (scheme === SIGNING_SCHEME_X509) {
    if (headers.authenticSigningTime !== undefined) {
      throw new EnvelopeError(`"${HEADER_AUTHENTIC_SIGNING_TIME}" header must not be present for ${SIGNING_SCHEME_X509} signing scheme`);
    }
    if (headers.signingTime === undefined) throw new EnvelopeError(`"${HEADER_SIGNING_TIME}" header is missing for ${SIGNING_SCHEME_X509} signing scheme`);
  } else if (scheme === SIGNING_SCHEME_SIGNING_AUTHORITY) {
    if (headers.signingTime !== undefined) {
      throw new EnvelopeError(`"${HEADER_SIGNING_TIME}" header must not be present for ${SIGNING_SCHEME_SIGNING_AUTHORITY} signing scheme`);
    }
    if (headers.authenticSigningTime === undefined) {
      throw new EnvelopeError(`"${HEADER_AUTHENTIC_SIGNING_TIME}" header is missing for ${SIGNING_SCHEME_SIGNING_AUTHORITY} signing scheme`);
    }
  } else {
    throw new EnvelopeError(`signing scheme ${JSON.stringify(scheme)} is not supported`);
  }
  assertCritical(headers);
  const signed = headers.signingTime ?? headers.authenticSigningTime;
  if (headers.expiry !== undefined && signed !== undefined && headers.expiry.getTime() <= signed.getTime()) {
    throw new EnvelopeError('expiry time cannot be equal or before the signing time');
  }
  return {
    signingScheme: scheme,
    ...(headers.signingTime === undefined ? {} : { signingTime: headers.signingTime }),
    ...(headers.authenticSigningTime === undefined ? {} : { authenticSigningTime: headers.authenticSigningTime }),
    ...(headers.expiry === undefined ? {} : { expiry: headers.expiry }),
  };
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** RFC 3339 date-time as Go's time.Parse(time.RFC3339) accepts it; undefined when not one. */
export function parseRfc3339(text: string): Date | undefined {
  const match = RFC3339.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  if (month === undefined || day === undefined || hour === undefined || minute === undefined || second === undefined || year === undefined) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate() || hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export interface VerifiedEnvelope {
  readonly envelope: Envelope;
  /** Parsed chain, leaf first. */
  readonly chain: readonly Certificate[];
}

/**
 * The integrity step: the chain obeys §6.5, the header algorithm is the one
 * the leaf key implies, and the signature verifies. Throws EnvelopeError.
 */
export function verifyEnvelopeIntegrity(envelope: Envelope): VerifiedEnvelope {
  if (envelope.certificateChain.length === 0) throw new EnvelopeError('certificate chain is not present');
  let chain: Certificate[];
  try {
    chain = envelope.certificateChain.map((der) => parseCertificate(der));
  } catch (error) {
    if (error instanceof CertificateError) throw new EnvelopeError(`malformed certificate in the signature: ${error.message}`, 'CERTIFICATE_INVALID');
    throw error;
  }
  const [leaf] = chain;
  if (leaf === undefined) throw new EnvelopeError('certificate chain is not present');
  const expected = toSignatureAlgorithm(leaf.publicKey);
  if (expected === undefined) {
    throw new EnvelopeError(`signing certificate key ${describeKey(leaf.publicKey)} is not supported`, 'CERTIFICATE_INVALID');
  }
  if (expected !== envelope.algorithm) {
    throw new EnvelopeError(`mismatch between signature algorithm derived from signing certificate (${expected}) and signing algorithm specified (${envelope.algorithm})`);
  }
  if (!verifySignature(envelope.algorithm, leaf.publicKey, envelope.signedBytes, envelope.signature, envelope.saltRule)) {
    throw new EnvelopeError('signature is invalid: the signature does not verify with the signing certificate');
  }
  try {
    assertCodeSigningChain(chain);
  } catch (error) {
    if (error instanceof ChainError) throw new EnvelopeError(`invalid certificate chain: ${error.message}`, 'CERTIFICATE_INVALID');
    throw error;
  }
  return { envelope, chain };
}
