/**
 * The policy.json provider: containers/image's IsRunningImageAllowed for
 * the docker transport (research/signatures.md §1.5, §1.6). The selected
 * requirements must ALL allow the image, evaluation stopping at the first
 * denial; a signature-checking requirement allows it when at least one
 * signature is accepted.
 *
 * Evidence is fetched lazily and once per subject: cosign `.sig`
 * attachments only when registries.d enables `use-sigstore-attachments`
 * for the reference, simple signatures (extension API or lookaside) only
 * when a `signedBy` requirement needs them. Trust material is read on
 * first use, as upstream does at evaluation time, so a broken key in an
 * unused scope does not block other images; a broken key in the scope used
 * throws CONFIG_INVALID naming its field.
 */
import type { Repository } from '../../oci/index.ts';
import { fetchSignatureBlob, fetchTagAttachment } from '../attachments.ts';
import { fetchSimpleSignatures } from '../simple-signing/index.ts';
import { isRejectionError, RejectionError } from '../errors.ts';
import type {
  RejectionCode, SignatureAttempt, SignatureFormat, Verdict, VerificationContext, VerificationSubject, VerifiedSignature, Verifier,
} from '../types.ts';
import {
  parseNormalizedNamed, DockerReferenceError, toReferenceString, type DockerReference,
} from './docker-reference.ts';
import type { Policy, PolicyRequirement, SignedByRequirement, SigstoreSignedRequirement } from './policy-types.ts';
import { lookasideFor, usesSigstoreAttachments, type RegistriesD } from './registries-d.ts';
import { requirementsFor, toIntendedReference } from './scopes.ts';
import { acceptSimpleSignature, prepareSignedByTrust, type SignedByTrust } from './signed-by.ts';
import {
  acceptSigstoreSignature, prepareSigstoreTrust, SIMPLE_SIGNING_LAYER_MEDIA_TYPE, type SigstoreAcceptance, type SigstoreExpectation,
  type SigstoreSignature, type SigstoreTrust,
} from './sigstore-signed.ts';
import type { TrustedKeyReader } from './trusted-keys.ts';

/** One simple-signing blob and where it was found. */
export interface SimpleSignatureBlob {
  readonly source: string;
  readonly blob: Uint8Array;
}

/** Reads simple signatures of the subject (extension API when announced, else lookaside). */
export type SimpleSignatureFetcher = (
  subject: VerificationSubject, options: { readonly lookaside?: string }, context: VerificationContext,
) => Promise<readonly SimpleSignatureBlob[]>;

export interface PolicyVerifierOptions {
  readonly policy: Policy;
  /** Reads keyPath/caPath/… files; see createTrustedKeyReader. */
  readonly readTrustedKey: TrustedKeyReader;
  /** Parsed registries.d; absent means nothing configured (no sigstore attachments, no lookaside). */
  readonly registriesD?: RegistriesD;
  /** How `signedBy` reads GPG signatures; default: the registry extension API when announced, else the registries.d lookaside. */
  readonly fetchSimpleSignatures?: SimpleSignatureFetcher;
}

type RequirementOutcome =
  | { readonly allowed: true; readonly signatures: readonly VerifiedSignature[]; readonly verifiesSignatures: boolean }
  | { readonly allowed: false; readonly code: RejectionCode; readonly reason: string; readonly attempts: readonly SignatureAttempt[] };

// When several signatures fail differently, the verdict names the most telling reason: a signature that verified but is about something else first.
const CODE_PRIORITY: readonly RejectionCode[] = [
  'IDENTITY_MISMATCH', 'SUBJECT_MISMATCH', 'SIGNER_UNTRUSTED', 'CERTIFICATE_EXPIRED', 'SIGNATURE_EXPIRED', 'CERTIFICATE_INVALID',
  'TLOG_INVALID', 'PAYLOAD_INVALID', 'SIGNATURE_INVALID',
];

function summaryCode(attempts: readonly SignatureAttempt[]): RejectionCode {
  for (const code of CODE_PRIORITY) if (attempts.some((attempt) => attempt.code === code)) return code;
  return attempts[0]?.code ?? 'NO_SIGNATURES';
}

/** docker/distribution FamiliarString, as containers/image prints image names (`docker://busybox:latest`). */
function toFamiliarImageName(reference: DockerReference): string {
  let text = toReferenceString(reference);
  if (reference.domain === 'docker.io') {
    text = text.slice('docker.io/'.length);
    const segments = reference.path.split('/');
    if (segments.length === 2 && segments[0] === 'library') text = text.slice('library/'.length);
  }
  return `docker://${text}`;
}

function toDockerReference(subject: VerificationSubject): DockerReference {
  const { registry, repository, tag, digest } = subject.reference;
  return parseNormalizedNamed(`${registry}/${repository}${tag === undefined ? '' : `:${tag}`}${digest === undefined ? '' : `@${digest}`}`);
}

/** Everything fetched or prepared for one verify() call. */
class Evaluation {
  readonly subject: VerificationSubject;
  readonly context: VerificationContext;
  readonly intended: DockerReference;
  readonly options: PolicyVerifierOptions;
  readonly trustCache: Map<PolicyRequirement, Promise<SigstoreTrust | SignedByTrust>>;
  private sigstore: Promise<{ signatures: SigstoreSignature[]; others: number }> | undefined;
  private simple: Promise<readonly SimpleSignatureBlob[]> | undefined;

  constructor(
    subject: VerificationSubject, context: VerificationContext, intended: DockerReference, options: PolicyVerifierOptions,
    trustCache: Map<PolicyRequirement, Promise<SigstoreTrust | SignedByTrust>>,
  ) {
    this.subject = subject;
    this.context = context;
    this.intended = intended;
    this.options = options;
    this.trustCache = trustCache;
  }

  get expectation(): SigstoreExpectation {
    return { digest: this.subject.descriptor.digest, intended: this.intended, now: this.context.now() };
  }

  sigstoreSignatures(): Promise<{ signatures: SigstoreSignature[]; others: number }> {
    this.sigstore ??= this.fetchSigstore();
    return this.sigstore;
  }

  simpleSignatures(): Promise<readonly SimpleSignatureBlob[]> {
    const fetcher = this.options.fetchSimpleSignatures ?? fetchSimpleSignatures;
    const lookaside = this.options.registriesD === undefined ? undefined : lookasideFor(this.options.registriesD, this.intended);
    this.simple ??= fetcher(this.subject, lookaside === undefined ? {} : { lookaside }, this.context);
    return this.simple;
  }

  private async fetchSigstore(): Promise<{ signatures: SigstoreSignature[]; others: number }> {
    const registriesD = this.options.registriesD;
    if (registriesD === undefined || !usesSigstoreAttachments(registriesD, this.intended)) return { signatures: [], others: 0 };
    const attachment = await fetchTagAttachment(this.subject, 'sig', this.context);
    if (attachment === undefined) return { signatures: [], others: 0 };
    const repository: Repository = { registry: this.subject.reference.registry, repository: this.subject.reference.repository };
    const layers = attachment.layers.filter((layer) => layer.mediaType === SIMPLE_SIGNING_LAYER_MEDIA_TYPE);
    if (layers.length > this.context.limits.signatures) {
      throw new RejectionError(
        'TOO_MANY_SIGNATURES',
        `${attachment.tag} has ${String(layers.length)} signatures, more than the limit of ${String(this.context.limits.signatures)}`,
      );
    }
    const signatures: SigstoreSignature[] = [];
    for (const [index, layer] of attachment.layers.entries()) {
      if (layer.mediaType !== SIMPLE_SIGNING_LAYER_MEDIA_TYPE) continue;
      signatures.push({
        source: `${attachment.tag} layer ${String(index)}`,
        payload: await fetchSignatureBlob(repository, layer, this.context),
        annotations: layer.annotations ?? {},
      });
    }
    return { signatures, others: attachment.layers.length - layers.length };
  }
}

function rejectedByAttempts(attempts: readonly SignatureAttempt[], noneMessage: string): RequirementOutcome {
  if (attempts.length === 0) return { allowed: false, code: 'NO_SIGNATURES', reason: noneMessage, attempts };
  const [only] = attempts;
  const reason = attempts.length === 1 && only !== undefined
    ? only.reason
    : `None of the signatures were accepted, reasons: ${attempts.map((attempt) => attempt.reason).join('; ')}`;
  return { allowed: false, code: summaryCode(attempts), reason, attempts };
}

async function evaluateSignatures<T>(
  candidates: readonly T[], format: SignatureFormat, sourceOf: (candidate: T) => string,
  accept: (candidate: T) => Promise<SigstoreAcceptance>, noneMessage: string,
): Promise<RequirementOutcome> {
  const attempts: SignatureAttempt[] = [];
  for (const candidate of candidates) {
    const source = sourceOf(candidate);
    try {
      const accepted = await accept(candidate);
      // One accepted signature is enough (upstream returns at the first).
      return {
        allowed: true, verifiesSignatures: true,
        signatures: [{ format, source, signer: accepted.signer, ...(accepted.signedAt === undefined ? {} : { signedAt: accepted.signedAt }) }],
      };
    } catch (error) {
      if (!isRejectionError(error)) throw error;
      attempts.push({ source, format, code: error.code, reason: error.message });
    }
  }
  return rejectedByAttempts(attempts, noneMessage);
}

function trustFor<T extends SigstoreTrust | SignedByTrust>(
  evaluation: Evaluation, requirement: PolicyRequirement, prepare: () => Promise<T>,
): Promise<T> {
  let cached = evaluation.trustCache.get(requirement);
  if (cached === undefined) {
    cached = prepare();
    // A failure is not cached: the next verify() reads the (possibly fixed) material again.
    cached.catch(() => evaluation.trustCache.delete(requirement));
    evaluation.trustCache.set(requirement, cached);
  }
  return cached as Promise<T>;
}

async function evaluateSigstoreSigned(evaluation: Evaluation, requirement: SigstoreSignedRequirement): Promise<RequirementOutcome> {
  const trust = await trustFor(evaluation, requirement, () => prepareSigstoreTrust(requirement, evaluation.options.readTrustedKey));
  const { signatures, others } = await evaluation.sigstoreSignatures();
  const none = others === 0
    ? 'A signature was required, but no signature exists'
    : `A signature was required, but no signature exists (0 non-sigstore signatures, ${String(others)} sigstore non-signature attachments)`;
  const expectation = evaluation.expectation;
  return evaluateSignatures(signatures, 'sigstore-attachment', (signature) => signature.source,
    (signature) => Promise.resolve(acceptSigstoreSignature(trust, signature, expectation)), none);
}

async function evaluateSignedBy(evaluation: Evaluation, requirement: SignedByRequirement): Promise<RequirementOutcome> {
  const trust = await trustFor(evaluation, requirement, () => prepareSignedByTrust(requirement, evaluation.options.readTrustedKey));
  const blobs = await evaluation.simpleSignatures();
  const expectation = evaluation.expectation;
  return evaluateSignatures(blobs, 'simple-signing', (blob) => blob.source,
    (blob) => acceptSimpleSignature(trust, blob.blob, expectation), 'A signature was required, but no signature exists');
}

async function evaluateRequirement(evaluation: Evaluation, requirement: PolicyRequirement): Promise<RequirementOutcome> {
  switch (requirement.type) {
    case 'insecureAcceptAnything':
      return { allowed: true, signatures: [], verifiesSignatures: false };
    case 'reject':
      return {
        allowed: false, code: 'POLICY_REJECTED', attempts: [],
        reason: `Running image ${toFamiliarImageName(evaluation.intended)} is rejected by policy.`,
      };
    case 'signedBaseLayer':
      return { allowed: false, code: 'POLICY_REJECTED', attempts: [], reason: 'signedBaseLayer not implemented yet!' };
    case 'signedBy':
      return evaluateSignedBy(evaluation, requirement);
    case 'sigstoreSigned':
      return evaluateSigstoreSigned(evaluation, requirement);
  }
}

/**
 * A Verifier (provider 'policy') for a parsed policy.json. `verify` selects
 * the requirements for the subject's reference (scopes.ts), evaluates
 * them in order and returns the first denial, or `verified` with every
 * accepted signature. A policy that accepts without checking signatures
 * (only insecureAcceptAnything) gives `verified` with no signatures and a
 * warning saying so.
 */
export function createPolicyVerifier(options: PolicyVerifierOptions): Verifier {
  const trustCache = new Map<PolicyRequirement, Promise<SigstoreTrust | SignedByTrust>>();
  return {
    provider: 'policy',
    async verify(subject: VerificationSubject, context: VerificationContext): Promise<Verdict> {
      let intended: DockerReference;
      try {
        intended = toIntendedReference(toDockerReference(subject));
      } catch (error) {
        if (!(error instanceof DockerReferenceError)) throw error;
        return {
          outcome: 'rejected', provider: 'policy', code: 'POLICY_REJECTED', attempts: [],
          reason: `the reference is not a valid docker reference for policy.json: ${error.message}`,
        };
      }
      const selected = requirementsFor(options.policy, intended);
      const evaluation = new Evaluation(subject, context, intended, options, trustCache);
      const signatures: VerifiedSignature[] = [];
      let verifiesSignatures = false;
      for (const requirement of selected.requirements) {
        let outcome: RequirementOutcome;
        try {
          outcome = await evaluateRequirement(evaluation, requirement);
        } catch (error) {
          if (!isRejectionError(error)) throw error;
          outcome = { allowed: false, code: error.code, reason: error.message, attempts: [] };
        }
        if (!outcome.allowed) {
          return { outcome: 'rejected', provider: 'policy', code: outcome.code, reason: outcome.reason, attempts: outcome.attempts };
        }
        signatures.push(...outcome.signatures);
        verifiesSignatures ||= outcome.verifiesSignatures;
      }
      const scope = selected.scope === undefined ? 'default' : `transports.docker[${JSON.stringify(selected.scope)}]`;
      const warnings = verifiesSignatures
        ? []
        : [`policy.json ${scope} accepts ${toFamiliarImageName(intended)} without verifying any signature (insecureAcceptAnything)`];
      for (const warning of warnings) context.warn?.(warning);
      return { outcome: 'verified', provider: 'policy', signatures, warnings };
    },
  };
}
