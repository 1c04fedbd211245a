// Hand-built JWS and COSE envelopes for the notation tests, so each header
// rule can be broken on its own while the signature stays valid.
import { constants, sign, type KeyObject } from 'node:crypto';
import { encodeCbor, type CborKey, type CborValue } from '../../../../src/verify/notation/cbor.ts';
import { toSigStructure } from '../../../../src/verify/notation/cose.ts';

export const PAYLOAD_TYPE = 'application/vnd.cncf.notary.payload.v1+json';
export const SUBJECT = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${'a'.repeat(64)}`,
  size: 1234,
} as const;

export function payloadFor(descriptor: { mediaType: string; digest: string; size: number } = SUBJECT, extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(JSON.stringify({ targetArtifact: { ...descriptor, ...extra } }));
}

const HASH: Record<string, string> = { PS256: 'sha256', PS384: 'sha384', PS512: 'sha512', ES256: 'sha256', ES384: 'sha384', ES512: 'sha512' };

export function rawSign(alg: string, key: KeyObject, data: Buffer, saltLength?: number): Buffer {
  const hash = HASH[alg] ?? 'sha256';
  if (alg.startsWith('PS')) {
    return sign(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: saltLength ?? constants.RSA_PSS_SALTLEN_DIGEST });
  }
  return sign(hash, data, { key, dsaEncoding: 'ieee-p1363' });
}

export function defaultJwsHeaders(alg = 'ES256'): Record<string, unknown> {
  return {
    alg,
    crit: ['io.cncf.notary.signingScheme'],
    cty: PAYLOAD_TYPE,
    'io.cncf.notary.signingScheme': 'notary.x509',
    'io.cncf.notary.signingTime': new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

export interface JwsOptions {
  readonly key: KeyObject;
  readonly chain: readonly Buffer[];
  readonly alg?: string;
  /** Replaces the default protected headers (values `undefined` delete). */
  readonly headers?: Record<string, unknown>;
  readonly protectedText?: string;
  readonly payload?: Buffer;
  readonly saltLength?: number;
  readonly unprotected?: Record<string, unknown>;
  readonly top?: Record<string, unknown>;
}

export function makeJws(options: JwsOptions): Buffer {
  const alg = options.alg ?? 'ES256';
  const headers = Object.fromEntries(Object.entries({ ...defaultJwsHeaders(alg), ...options.headers }).filter(([, value]) => value !== undefined));
  const protectedText = options.protectedText ?? Buffer.from(JSON.stringify(headers)).toString('base64url');
  const payloadText = (options.payload ?? payloadFor()).toString('base64url');
  const signature = rawSign(alg, options.key, Buffer.from(`${protectedText}.${payloadText}`), options.saltLength);
  return Buffer.from(JSON.stringify({
    payload: payloadText,
    protected: protectedText,
    header: { x5c: options.chain.map((der) => der.toString('base64')), 'io.cncf.notary.signingAgent': 'test', ...options.unprotected },
    signature: signature.toString('base64url'),
    ...options.top,
  }));
}

export const COSE_ALG: Record<string, number> = { PS256: -37, PS384: -38, PS512: -39, ES256: -7, ES384: -35, ES512: -36 };

export function epoch(date: Date): CborValue {
  return { kind: 'tag', tag: 1, value: Math.floor(date.getTime() / 1000) };
}

export function defaultCoseHeaders(alg = 'ES256'): [CborKey, CborValue][] {
  return [
    [1, COSE_ALG[alg] ?? 0],
    [2, ['io.cncf.notary.signingScheme']],
    [3, PAYLOAD_TYPE],
    ['io.cncf.notary.signingScheme', 'notary.x509'],
    ['io.cncf.notary.signingTime', epoch(new Date(Date.now() - 60_000))],
  ];
}

export interface CoseOptions {
  readonly key: KeyObject;
  readonly chain: readonly Buffer[];
  readonly alg?: string;
  readonly headers?: [CborKey, CborValue][];
  readonly protectedBytes?: Uint8Array;
  readonly unprotected?: [CborKey, CborValue][];
  readonly payload?: Buffer;
  readonly saltLength?: number;
  readonly tag?: number;
}

export function makeCose(options: CoseOptions): Buffer {
  const alg = options.alg ?? 'ES256';
  const protectedBytes = options.protectedBytes ?? encodeCbor({ kind: 'map', entries: options.headers ?? defaultCoseHeaders(alg) });
  const payload = options.payload ?? payloadFor();
  const signature = rawSign(alg, options.key, Buffer.from(toSigStructure(protectedBytes, payload)), options.saltLength);
  return Buffer.from(encodeCbor({
    kind: 'tag',
    tag: options.tag ?? 18,
    value: [protectedBytes, { kind: 'map', entries: options.unprotected ?? [[33, [...options.chain]]] }, payload, signature],
  }));
}
