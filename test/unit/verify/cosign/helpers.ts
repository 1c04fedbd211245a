// Hand-built cosign signatures for unit tests: legacy `.sig`/`.att` layers
// and Sigstore bundles signed with node:crypto keys and the test PKI.
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { toPae } from '../../../../src/verify/cosign/dsse.ts';
import type { LegacyLayer } from '../../../../src/verify/cosign/legacy.ts';

export const DIGEST = `sha256:${'a'.repeat(64)}`;
export const OTHER_DIGEST = `sha256:${'b'.repeat(64)}`;
export const ISSUER = 'https://issuer.bob.test';

export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly pem: string;
}

export function ecKey(curve = 'P-256'): KeyPair {
  const pair = generateKeyPairSync('ec', { namedCurve: curve });
  return { ...pair, pem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

export function keyHintOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
}

const CURVE_HASH: Readonly<Record<string, string>> = { prime256v1: 'sha256', secp384r1: 'sha384', secp521r1: 'sha512' };

/** Signs as cosign's default signer: ECDSA with the curve's hash (DER), RSA PKCS#1 v1.5 SHA-256, Ed25519 pure. */
export function cosignSign(privateKey: KeyObject, data: Uint8Array): Buffer {
  const type = privateKey.asymmetricKeyType;
  if (type === 'ed25519') return sign(null, data, privateKey);
  const hash = type === 'ec' ? CURVE_HASH[privateKey.asymmetricKeyDetails?.namedCurve ?? ''] ?? 'sha256' : 'sha256';
  return sign(hash, data, privateKey);
}

export function simplePayload(digest: string, extra = ''): Buffer {
  return Buffer.from(`{"critical":{"identity":{"docker-reference":"registry.test/app"},"image":{"docker-manifest-digest":"${digest}"},"type":"cosign container image signature"}${extra},"optional":null}`);
}

export function legacyLayer(privateKey: KeyObject, payload: Uint8Array, annotations: Record<string, string> = {}): LegacyLayer & { signature: Buffer } {
  const signature = cosignSign(privateKey, payload);
  return {
    bytes: payload, signature,
    annotations: { 'dev.cosignproject.cosign/signature': signature.toString('base64'), ...annotations },
  };
}

export function statement(digest: string, predicateType = 'https://sigstore.dev/cosign/sign/v1', predicate: unknown = {}): Buffer {
  return Buffer.from(JSON.stringify({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'registry.test/app', digest: { sha256: digest.replace('sha256:', '') } }],
    predicateType, predicate,
  }));
}

export interface Envelope {
  readonly json: Record<string, unknown>;
  readonly signature: Buffer;
  readonly payload: Buffer;
}

export function dsseEnvelope(privateKey: KeyObject, payload: Buffer, payloadType = 'application/vnd.in-toto+json'): Envelope {
  const signature = cosignSign(privateKey, toPae(payloadType, payload));
  return {
    json: { payloadType, payload: payload.toString('base64'), signatures: [{ keyid: '', sig: signature.toString('base64') }] },
    signature, payload,
  };
}

export interface BundleOptions {
  readonly keyHint?: string;
  readonly certificate?: Buffer;
  readonly chain?: readonly Buffer[];
  readonly timestamps?: readonly Buffer[];
  readonly mediaType?: string;
}

export function bundleJson(envelope: Envelope, options: BundleOptions): Record<string, unknown> {
  let material: Record<string, unknown>;
  if (options.chain !== undefined) material = { x509CertificateChain: { certificates: options.chain.map((der) => ({ rawBytes: der.toString('base64') })) } };
  else if (options.certificate !== undefined) material = { certificate: { rawBytes: options.certificate.toString('base64') } };
  else material = { publicKey: { hint: options.keyHint ?? '' } };
  return {
    mediaType: options.mediaType ?? 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      ...material, tlogEntries: [],
      ...(options.timestamps === undefined ? {} : { timestampVerificationData: { rfc3161Timestamps: options.timestamps.map((t) => ({ signedTimestamp: t.toString('base64') })) } }),
    },
    dsseEnvelope: envelope.json,
  };
}

export const encode = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));


/** The RejectionError `fn` throws, as {code, message}; fails when it does not throw one. */
export function rejectionOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error && error.name === 'RejectionError' && 'code' in error && typeof error.code === 'string') {
      return { code: error.code, message: error.message };
    }
    throw error;
  }
  throw new Error('expected a RejectionError');
}
