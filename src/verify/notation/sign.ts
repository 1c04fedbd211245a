/**
 * notation-compatible signing: the signature manifest `notation sign`
 * 1.3.2 pushes (checked against its output, research/signatures.md §6.1):
 * an OCI image manifest with config mediaType
 * `application/vnd.cncf.notary.signature` over the `{}` blob (notation
 * 1.3.2 writes this legacy form, not `artifactType`, on every registry),
 * one envelope layer, the signed manifest as `subject`, and the chain
 * thumbprint and creation-time annotations. Registries without the
 * referrers API get the tag-schema index from RegistryClient.pushManifest.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { OCI_MANIFEST, type Descriptor, type Reference, type RegistryClient } from '../../oci/index.ts';
import { digestOf } from '../../shared/index.ts';
import { verifyError } from '../errors.ts';
import { toSignatureAlgorithm, describeKey } from './algorithms.ts';
import { CertificateError, parseCertificate, splitCertificates, toThumbprint, type Certificate } from './certificate.ts';
import { assertCodeSigningChain, ChainError } from './chain.ts';
import {
  CREATED_ANNOTATION, NOTATION_COSE_MEDIA_TYPE, NOTATION_JWS_MEDIA_TYPE, NOTATION_SIGNATURE_ARTIFACT_TYPE, THUMBPRINT_ANNOTATION,
} from './constants.ts';
import { signCoseEnvelope } from './cose.ts';
import { signJwsEnvelope, toRfc3339Seconds } from './jws.ts';
import { toPayloadBytes } from './payload.ts';

export type NotationSignatureFormat = 'jws' | 'cose';

export interface SignNotationOptions {
  readonly client: RegistryClient;
  readonly signal: AbortSignal;
  /** What to sign: the repository, and the resolved manifest descriptor (mediaType, digest, size). */
  readonly subject: { readonly reference: Reference; readonly descriptor: Descriptor };
  /** PEM private key (`--notation-key`): RSA 2048/3072/4096 or EC P-256/384/521, unencrypted. */
  readonly notationKey: string | Uint8Array;
  /** PEM certificate chain, leaf first, ending at the root (`--notation-cert`). */
  readonly notationCert: string | Uint8Array;
  /** Envelope format (`--signature-format`), default `jws` as notation. */
  readonly signatureFormat?: NotationSignatureFormat;
  /** When the signature stops being valid (notation `--expiry`). */
  readonly expiry?: Date;
  /** Signed annotations in the payload (notation `--user-metadata`). */
  readonly userMetadata?: Readonly<Record<string, string>>;
  /** Written to the unprotected `io.cncf.notary.signingAgent` header; default `bob`. */
  readonly signingAgent?: string;
  readonly now?: () => Date;
}

export interface SignedNotation {
  /** The pushed signature manifest. */
  readonly descriptor: Descriptor;
  readonly envelope: Uint8Array;
  readonly envelopeMediaType: string;
}

const EMPTY_CONFIG = new TextEncoder().encode('{}');

function signingFailed(message: string): Error {
  return verifyError('SIGNING_FAILED', message);
}

function readKey(pem: string | Uint8Array): KeyObject {
  try {
    return createPrivateKey({ key: typeof pem === 'string' ? pem : Buffer.from(pem), format: 'pem' });
  } catch {
    throw signingFailed('notation key: not an unencrypted PEM private key');
  }
}

function readChain(pem: string | Uint8Array): Certificate[] {
  try {
    const bytes = typeof pem === 'string' ? new TextEncoder().encode(pem) : pem;
    return splitCertificates(bytes).map((der) => parseCertificate(der));
  } catch (error) {
    if (error instanceof CertificateError) throw signingFailed(`notation certificate: ${error.message}`);
    throw error;
  }
}

function assertUsable(key: KeyObject, chain: readonly Certificate[], now: Date): void {
  const [leaf] = chain;
  if (leaf === undefined) throw signingFailed('notation certificate: no certificate found');
  const spki = (value: KeyObject): Buffer => value.export({ type: 'spki', format: 'der' });
  if (!spki(createPublicKey(key)).equals(spki(leaf.publicKey))) {
    throw signingFailed('notation key does not match the first certificate of the chain');
  }
  try {
    assertCodeSigningChain(chain);
  } catch (error) {
    if (error instanceof ChainError) throw signingFailed(`notation certificate chain: ${error.message}`);
    throw error;
  }
  for (const certificate of chain) {
    if (now < certificate.notBefore || now > certificate.notAfter) {
      throw signingFailed(`certificate "${certificate.subject}" is not valid at the signing time ${now.toISOString()}`);
    }
  }
}

/** Signs the subject and pushes the signature manifest next to it; throws SIGNING_FAILED or oci errors. */
export async function signNotation(options: SignNotationOptions): Promise<SignedNotation> {
  const now = new Date(Math.floor((options.now?.() ?? new Date()).getTime() / 1000) * 1000);
  const key = readKey(options.notationKey);
  const chain = readChain(options.notationCert);
  assertUsable(key, chain, now);
  const algorithm = toSignatureAlgorithm(key);
  if (algorithm === undefined) throw signingFailed(`notation key ${describeKey(createPublicKey(key))} is not supported`);
  if (options.expiry !== undefined && options.expiry.getTime() <= now.getTime()) throw signingFailed('expiry must be after the signing time');
  const format = options.signatureFormat ?? 'jws';
  const descriptor = options.subject.descriptor;
  const input = {
    algorithm, key,
    payload: toPayloadBytes(descriptor, options.userMetadata, format),
    certificateChain: chain.map((certificate) => certificate.der),
    signingTime: now,
    signingAgent: options.signingAgent ?? 'bob',
    ...(options.expiry === undefined ? {} : { expiry: new Date(Math.floor(options.expiry.getTime() / 1000) * 1000) }),
  };
  const envelope = format === 'cose' ? signCoseEnvelope(input) : signJwsEnvelope(input);
  const envelopeMediaType = format === 'cose' ? NOTATION_COSE_MEDIA_TYPE : NOTATION_JWS_MEDIA_TYPE;
  const repository = { registry: options.subject.reference.registry, repository: options.subject.reference.repository };
  await options.client.pushBlob(repository, EMPTY_CONFIG, { signal: options.signal });
  await options.client.pushBlob(repository, envelope, { signal: options.signal });
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: NOTATION_SIGNATURE_ARTIFACT_TYPE, digest: digestOf(EMPTY_CONFIG), size: EMPTY_CONFIG.length },
    layers: [{ mediaType: envelopeMediaType, digest: digestOf(envelope), size: envelope.length }],
    subject: { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size },
    annotations: {
      [THUMBPRINT_ANNOTATION]: JSON.stringify(chain.map((certificate) => toThumbprint(certificate))),
      [CREATED_ANNOTATION]: toRfc3339Seconds(now),
    },
  };
  const pushed = await options.client.pushManifest(repository, new TextEncoder().encode(JSON.stringify(manifest)), {
    signal: options.signal, mediaType: OCI_MANIFEST,
  });
  return { descriptor: pushed, envelope, envelopeMediaType };
}
