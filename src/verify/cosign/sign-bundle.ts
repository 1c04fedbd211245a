/**
 * cosign 3's default signature (research/signatures.md §4.5; cosign
 * cmd/cosign/cli/sign/sign.go signDigestBundle, pkg/oci/remote/write.go
 * WriteReferrer): a Sigstore bundle v0.3 holding a DSSE envelope of the
 * in-toto Statement
 *   {"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"<hex>"},"annotations":{}}],
 *    "predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{}}
 * signed over DSSE's PAE, with `verificationMaterial.publicKey.hint` for a
 * keyed signature, stored as an OCI 1.1 referrer of the subject.
 *
 * Offline by design: no Rekor entry and no RFC 3161 timestamp is added
 * (cosign's `--tlog-upload=false`), so verifiers must be told to accept
 * bundles without transparency log evidence (`cosign verify
 * --insecure-ignore-tlog=true`).
 */
import { OCI_EMPTY, OCI_EMPTY_DIGEST, OCI_MANIFEST, type RegistryClient, type Repository } from '../../oci/index.ts';
import { digestOf, parseDigest } from '../../shared/index.ts';
import { encodeStandardBase64 } from '../base64.ts';
import { verifyError } from '../errors.ts';
import type { VerificationContext, VerificationSubject } from '../types.ts';
import { BUNDLE_V03_MEDIA_TYPE, COSIGN_SIGN_PREDICATE_TYPE, IN_TOTO_PAYLOAD_TYPE } from './constants.ts';
import { toPae } from './dsse.ts';
import type { CosignSignature } from './sign-result.ts';
import { signBytes, type CosignSigner } from './sign-key.ts';

const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
const EMPTY_JSON = new TextEncoder().encode('{}');

/** The in-toto Statement cosign 3 signs for a manifest digest (no subject name, empty annotations). */
export function toCosignStatement(digest: string): Uint8Array {
  const parsed = parseDigest(digest);
  if (parsed === undefined) throw verifyError('SIGNING_FAILED', 'subject digest is not a valid digest', { errorClass: 'stalling' });
  const statement = {
    _type: IN_TOTO_STATEMENT_V1,
    subject: [{ digest: { [parsed.algorithm]: parsed.hex }, annotations: {} }],
    predicateType: COSIGN_SIGN_PREDICATE_TYPE,
    predicate: {},
  };
  return new TextEncoder().encode(JSON.stringify(statement));
}

/** The bundle JSON cosign 3 writes for a keyed, offline signature of `digest` (protobuf-JSON field names). */
export function toCosignBundle(signer: CosignSigner, digest: string): Uint8Array {
  const statement = toCosignStatement(digest);
  // DSSE signs the pre-authentication encoding, not the bare payload.
  const signature = signBytes(signer, toPae(IN_TOTO_PAYLOAD_TYPE, statement));
  const bundle = {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: signer.keyHint } },
    dsseEnvelope: {
      payload: encodeStandardBase64(statement),
      payloadType: IN_TOTO_PAYLOAD_TYPE,
      signatures: [{ sig: encodeStandardBase64(signature) }],
    },
  };
  return new TextEncoder().encode(JSON.stringify(bundle));
}

/** RFC 3339 in UTC to the second, as cosign writes `org.opencontainers.image.created`. */
function toCreated(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Signs the subject as a Sigstore bundle and pushes it as a referrer (tag fallback handled by the client). */
export async function signBundle(
  client: RegistryClient, subject: VerificationSubject, signer: CosignSigner, context: VerificationContext,
): Promise<CosignSignature> {
  const repository: Repository = { registry: subject.reference.registry, repository: subject.reference.repository };
  const bundle = toCosignBundle(signer, subject.descriptor.digest);
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: BUNDLE_V03_MEDIA_TYPE,
    config: { mediaType: OCI_EMPTY, digest: OCI_EMPTY_DIGEST, size: EMPTY_JSON.length },
    layers: [{ mediaType: BUNDLE_V03_MEDIA_TYPE, digest: digestOf(bundle), size: bundle.length }],
    subject: { mediaType: subject.descriptor.mediaType, digest: subject.descriptor.digest, size: subject.descriptor.size },
    annotations: {
      'dev.sigstore.bundle.content': 'dsse-envelope',
      'dev.sigstore.bundle.predicateType': COSIGN_SIGN_PREDICATE_TYPE,
      'org.opencontainers.image.created': toCreated(context.now()),
    },
  };
  await client.pushBlob(repository, EMPTY_JSON, { signal: context.signal });
  await client.pushBlob(repository, bundle, { signal: context.signal });
  const pushed = await client.pushManifest(repository, new TextEncoder().encode(JSON.stringify(manifest)), {
    signal: context.signal, mediaType: OCI_MANIFEST,
  });
  return {
    format: 'bundle', repository, subject: subject.descriptor, manifest: pushed,
    location: `${repository.registry}/${repository.repository}@${pushed.digest}`, outcome: 'pushed',
  };
}
