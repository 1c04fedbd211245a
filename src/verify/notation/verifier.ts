/**
 * The notation provider: Notary Project signatures of the subject, found
 * as referrers, judged under a trust policy and trust store the way
 * `notation verify` judges them (notation-go notation.go Verify;
 * research/signatures.md §6). The first signature that verifies wins.
 *
 * A `skip` statement verifies nothing: the verdict is `verified` with NO
 * signatures and a "verification skipped" warning, so callers can tell it
 * apart from a real verification (a controller must not report
 * SourceVerified=True for it).
 */
import { formatReference } from '../../oci/index.ts';
import { fetchSignatureBlob, listReferrerArtifacts, type ReferrerArtifact } from '../attachments.ts';
import { configInvalid } from '../errors.ts';
import { isRejectionError } from '../errors.ts';
import type {
  RejectionCode, SignatureAttempt, SignatureFormat, Verdict, VerificationContext, VerificationSubject, Verifier,
} from '../types.ts';
import {
  DEFAULT_MAX_SIGNATURE_ATTEMPTS, MAX_SIGNATURE_ENVELOPE_BYTES, MAX_SIGNATURE_MANIFEST_BYTES, NOTATION_SIGNATURE_ARTIFACT_TYPE,
} from './constants.ts';
import { evaluateSignature, type Evaluation } from './evaluate.ts';
import { parseTrustPolicy, selectTrustPolicy, type TrustPolicyDocument } from './trust-policy.ts';
import { loadTrustStore, type LoadedTrustStore, type TrustStore } from './trust-store.ts';

export interface NotationVerifierOptions {
  /** A parsed policy, or the bytes/text of `trustpolicy.oci.json` / `trustpolicy.json` (`--trust-policy`). */
  readonly trustPolicy: TrustPolicyDocument | Uint8Array | string;
  /** Certificates by `ca:<name>` | `signingAuthority:<name>` | `tsa:<name>` (`--trust-store`, see readTrustStoreDirectory). */
  readonly trustStore: TrustStore;
  /** Signatures tried per subject before giving up (notation --max-signatures; default 100). */
  readonly maxSignatureAttempts?: number;
}

/** Warning prefix of a `skip` verdict; callers may match on it. */
export const SKIPPED_WARNING_PREFIX = 'verification skipped by trust policy';

/** How far a failed signature got, to report the most telling failure when all fail. */
const PROGRESS: Readonly<Partial<Record<RejectionCode, number>>> = {
  SIGNATURE_INVALID: 1, PAYLOAD_INVALID: 1, CERTIFICATE_INVALID: 1, SIGNER_UNTRUSTED: 2, IDENTITY_MISMATCH: 3,
  SIGNATURE_EXPIRED: 4, CERTIFICATE_EXPIRED: 5, TIMESTAMP_INVALID: 5, SUBJECT_MISMATCH: 6,
};

function isTrustPolicyDocument(value: NotationVerifierOptions['trustPolicy']): value is TrustPolicyDocument {
  return typeof value === 'object' && !(value instanceof Uint8Array) && Array.isArray(value.trustPolicies);
}

function assertStoresPresent(policy: TrustPolicyDocument, store: LoadedTrustStore): void {
  const missing = new Set<string>();
  for (const statement of policy.trustPolicies) {
    for (const reference of statement.trustStores) {
      const key = `${reference.type}:${reference.name}`;
      if (!store.has(key)) missing.add(`${key} (trust policy statement ${JSON.stringify(statement.name)})`);
    }
  }
  if (missing.size > 0) throw configInvalid(`trust store: the trust policy references stores that do not exist: ${[...missing].join(', ')}`);
}

function toFormat(format: 'jws' | 'cose' | undefined): SignatureFormat {
  return format === 'cose' ? 'notation-cose' : 'notation-jws';
}

function toRejected(code: RejectionCode, reason: string, attempts: readonly SignatureAttempt[]): Verdict {
  return { outcome: 'rejected', provider: 'notation', code, reason, attempts };
}

async function evaluateArtifact(
  artifact: ReferrerArtifact, subject: VerificationSubject, context: VerificationContext,
  judge: (envelope: Uint8Array, mediaType: string) => Evaluation,
): Promise<Evaluation> {
  const [layer, ...others] = artifact.manifest.layers;
  if (layer === undefined || others.length > 0) {
    // notation-go FetchSignatureBlob fails the whole verification on such a manifest.
    throw new RejectionInternal('PAYLOAD_INVALID', `signature manifest ${artifact.descriptor.digest} requires exactly one layer but got ${String(artifact.manifest.layers.length)}`);
  }
  const limits = { ...context.limits, signatureBytes: Math.min(context.limits.signatureBytes, MAX_SIGNATURE_ENVELOPE_BYTES) };
  const repository = { registry: subject.reference.registry, repository: subject.reference.repository };
  const envelope = await fetchSignatureBlob(repository, layer, { ...context, limits });
  return judge(envelope, layer.mediaType);
}

/** A whole-subject rejection raised while looking at one signature. */
class RejectionInternal extends Error {
  readonly code: RejectionCode;

  constructor(code: RejectionCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Builds the notation Verifier; throws CONFIG_INVALID for a bad policy, store or limit. */
export function createNotationVerifier(options: NotationVerifierOptions): Verifier {
  const policy = isTrustPolicyDocument(options.trustPolicy) ? options.trustPolicy : parseTrustPolicy(options.trustPolicy);
  const store = loadTrustStore(options.trustStore);
  assertStoresPresent(policy, store);
  const maxAttempts = options.maxSignatureAttempts ?? DEFAULT_MAX_SIGNATURE_ATTEMPTS;
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts <= 0) {
    throw configInvalid(`maxSignatureAttempts must be a positive integer, got ${String(maxAttempts)}`);
  }

  async function verify(subject: VerificationSubject, context: VerificationContext): Promise<Verdict> {
    const repository = `${subject.reference.registry}/${subject.reference.repository}`;
    const artifactReference = formatReference({ registry: subject.reference.registry, repository: subject.reference.repository, digest: subject.descriptor.digest });
    const statement = selectTrustPolicy(policy, repository);
    if (statement === undefined) {
      return toRejected('POLICY_REJECTED', `artifact ${JSON.stringify(artifactReference)} has no applicable trust policy statement: no registryScopes entry matches ${JSON.stringify(repository)} and there is no "*" statement`, []);
    }
    if (statement.level === 'skip') {
      const warning = `${SKIPPED_WARNING_PREFIX} ${JSON.stringify(statement.name)} (level skip): no signature of ${artifactReference} was verified`;
      context.warn?.(warning);
      return { outcome: 'verified', provider: 'notation', signatures: [], warnings: [warning] };
    }
    const attempts: SignatureAttempt[] = [];
    let best: SignatureAttempt | undefined;
    let stopped = false;
    try {
      const limits = { ...context.limits, manifestBytes: Math.min(context.limits.manifestBytes, MAX_SIGNATURE_MANIFEST_BYTES) };
      const artifacts = await listReferrerArtifacts(subject, (type) => type === NOTATION_SIGNATURE_ARTIFACT_TYPE, { ...context, limits });
      if (artifacts.length === 0) {
        return toRejected('NO_SIGNATURES', `no signature is associated with ${JSON.stringify(artifactReference)}, make sure the artifact was signed successfully`, []);
      }
      for (const artifact of artifacts) {
        if (attempts.length >= maxAttempts) {
          stopped = true;
          break;
        }
        const source = `referrer ${artifact.descriptor.digest}`;
        const evaluation = await evaluateArtifact(artifact, subject, context, (envelope, mediaType) => evaluateSignature({
          envelope, mediaType, statement, trustStore: store, descriptor: subject.descriptor, now: context.now(),
        }));
        const warnings = evaluation.warnings.map((warning) => `signature ${source}: ${warning}`);
        if (evaluation.outcome === 'verified') {
          for (const warning of warnings) context.warn?.(warning);
          return {
            outcome: 'verified',
            provider: 'notation',
            signatures: [{
              format: toFormat(evaluation.format), signer: evaluation.signer, source,
              ...(evaluation.signedAt === undefined ? {} : { signedAt: evaluation.signedAt }),
            }],
            warnings,
          };
        }
        const attempt: SignatureAttempt = { source, format: toFormat(evaluation.format), code: evaluation.code, reason: evaluation.reason };
        attempts.push(attempt);
        if (best === undefined || (PROGRESS[attempt.code] ?? 0) > (PROGRESS[best.code] ?? 0)) best = attempt;
      }
    } catch (error) {
      if (isRejectionError(error) || error instanceof RejectionInternal) return toRejected(error.code, error.message, attempts);
      throw error;
    }
    if (stopped) {
      return toRejected('TOO_MANY_SIGNATURES', `signature evaluation stopped. The configured limit of ${String(maxAttempts)} signatures to verify per artifact exceeded`, attempts);
    }
    if (best === undefined) return toRejected('NO_SIGNATURES', `no signature is associated with ${JSON.stringify(artifactReference)}`, attempts);
    const reason = attempts.length === 1
      ? best.reason
      : `signature verification failed for all the signatures associated with ${artifactReference} (${best.source}: ${best.reason})`;
    return toRejected(best.code, reason, attempts);
  }

  return { provider: 'notation', verify };
}
