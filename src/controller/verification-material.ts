/**
 * Step a (verification half): spec.verify's Secrets read into the plain data
 * verify/ takes, and the Verifier built from it (research/flux.md §4.9,
 * §4.10). Decisions, as Flux unless said:
 *
 * - cosign keyed: every Secret key ending `.pub` is a trusted key; the
 *   transparency log is ignored (Flux `IgnoreTlog: true`).
 * - cosign keyless: spec.verify.trustedRootSecretRef (`trusted_root.json`)
 *   is REQUIRED. Flux falls back to the public-good root fetched over TUF;
 *   bob has no TUF client, so without it the object is Stalled
 *   (VerificationConfigInvalid) until the spec names a root.
 * - notation: `trustpolicy.json` plus every `*.crt` / `*.pem` key; every
 *   store the policy names gets all certificates (Flux's in-memory store).
 * - policy (bob only): `policy.json`; every key ending `.yaml` is a
 *   registries.d file; a keyPath/keyPaths/caPath/... in the policy is read
 *   from the Secret entry named by the path's last segment
 *   (`/etc/pki/key.pub` → key `key.pub`), never from the filesystem.
 *
 * Unusable material (a missing Secret or key, a bad policy) is
 * SourceVerified=False reason VerificationConfigInvalid and retried with
 * backoff: a Secret can be fixed without a spec change, and no watch on
 * Secrets exists to notice it.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { CONDITION, REASON, type OCIRepository, type VerificationSpec } from '../api/index.ts';
import { isNotFound } from '../kube/index.ts';
import { BobError, describeError, isBobError } from '../shared/index.ts';
import {
  createCosignVerifier, createNotationVerifier, createPolicyVerifier, parsePolicy, parseRegistriesD, parseStrictJson, parseTrustPolicy,
  StrictJsonError,
  type NamedPublicKey, type TrustStore, type Verifier,
} from '../verify/index.ts';
import type { SecretContent, SecretSource } from './ports.ts';
import { toFingerprint } from './secret-fingerprint.ts';
import { StepFailure } from './step-failure.ts';

/** A verifier ready for step e, and what identifies its trust material. */
export interface VerificationMaterial {
  readonly verifier: Verifier;
  /** The provider as Flux names it in messages: `cosign`, `cosign keyless`, `notation`, `policy`. */
  readonly label: string;
  /** Changes when spec.verify or any Secret content it uses changes. */
  readonly fingerprint: string;
}

/** Thrown inside this file for unusable material; becomes a StepFailure at the edge. */
class MaterialError extends Error {
  readonly stall: boolean;

  constructor(message: string, stall = false) {
    super(message);
    this.stall = stall;
  }
}

/**
 * A pattern's source for verify/, which anchors it and compiles it with the
 * `u` flag: flags the Go translation needed (a leading `(?i)`) become an
 * inline modifier group so they are not lost.
 */
function toPatternSource(regexp: RegExp): string {
  const flags = regexp.flags.replace(/[gyud]/g, '');
  return flags === '' ? regexp.source : `(?${flags}:${regexp.source})`;
}

/** The provider label of Flux's `failed to verify the signature using provider '%s'`. */
export function toProviderLabel(spec: VerificationSpec): string {
  return spec.provider === 'cosign' && spec.keyless ? 'cosign keyless' : spec.provider;
}

/** Flux's SourceVerified=False message. */
export function toVerificationMessage(label: string, reason: string): string {
  return `failed to verify the signature using provider '${label}': ${reason}`;
}

async function readVerifySecret(secrets: SecretSource, namespace: string, name: string, signal: AbortSignal): Promise<SecretContent> {
  try {
    return await secrets.getSecret(namespace, name, signal);
  } catch (error) {
    if (isNotFound(error)) throw new MaterialError(`secret '${namespace}/${name}' not found`);
    throw error;
  }
}

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('utf8');
}

function cosignKeys(secret: SecretContent, id: string): NamedPublicKey[] {
  const keys = [...secret.data.entries()]
    .filter(([key]) => key.endsWith('.pub'))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, value]) => ({ name, pem: text(value) }));
  if (keys.length === 0) throw new MaterialError(`no public keys found in secret '${id}'`);
  return keys;
}

function trustedRootOf(secret: SecretContent, id: string): unknown {
  const bytes = secret.data.get('trusted_root.json');
  if (bytes === undefined) throw new MaterialError(`'trusted_root.json' not found in secret '${id}'`);
  try {
    // Strict: Go's protojson refuses duplicate keys, JSON.parse would keep the last one.
    return parseStrictJson(bytes);
  } catch (error) {
    const detail = error instanceof StrictJsonError ? `: ${error.message}` : '';
    throw new MaterialError(`'trusted_root.json' in secret '${id}' is not valid JSON${detail}`);
  }
}

function notationTrust(secret: SecretContent, id: string): { policy: ReturnType<typeof parseTrustPolicy>; store: TrustStore } {
  const policyBytes = secret.data.get('trustpolicy.json');
  if (policyBytes === undefined) throw new MaterialError(`'trustpolicy.json' not found in secret '${id}'`);
  const certificates = [...secret.data.entries()]
    .filter(([key]) => key.endsWith('.crt') || key.endsWith('.pem'))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, value]) => value);
  if (certificates.length === 0) throw new MaterialError(`no certificates found in secret '${id}'`);
  const policy = parseTrustPolicy(policyBytes);
  const store = new Map<string, Uint8Array[]>();
  for (const statement of policy.trustPolicies) {
    for (const reference of statement.trustStores) store.set(`${reference.type}:${reference.name}`, certificates);
  }
  return { policy, store };
}

function policyVerifier(secret: SecretContent, id: string): Verifier {
  const policyBytes = secret.data.get('policy.json');
  if (policyBytes === undefined) throw new MaterialError(`'policy.json' not found in secret '${id}'`);
  const policy = parsePolicy(policyBytes);
  const files = [...secret.data.entries()].filter(([key]) => key.endsWith('.yaml')).map(([name, value]) => ({ name, text: text(value) }));
  const readTrustedKey = (path: string): Promise<Uint8Array> => {
    const name = posix.basename(path.replaceAll('\\', '/'));
    const value = name === '' ? undefined : secret.data.get(name);
    if (value === undefined || name === 'policy.json') {
      // CONFIG_INVALID, as the file-based reader of verify/ throws.
      return Promise.reject(new BobError('CONFIG_INVALID', `trusted key ${JSON.stringify(path.slice(0, 200))} is not a key of secret '${id}'`, {
        errorClass: 'stalling',
      }));
    }
    return Promise.resolve(value);
  };
  return createPolicyVerifier({ policy, readTrustedKey, ...(files.length === 0 ? {} : { registriesD: parseRegistriesD(files) }) });
}

async function buildVerifier(
  object: OCIRepository, spec: VerificationSpec, secrets: SecretSource, signal: AbortSignal,
): Promise<{ verifier: Verifier; used: SecretContent[] }> {
  const { namespace } = object.metadata;
  const id = (name: string): string => `${namespace}/${name}`;
  if (spec.provider === 'cosign') {
    const attestations = spec.attestations.map((a) => a.predicateType);
    const rootSecret = spec.trustedRootSecretRef === undefined
      ? undefined
      : await readVerifySecret(secrets, namespace, spec.trustedRootSecretRef.name, signal);
    const trustedRoot = rootSecret === undefined || spec.trustedRootSecretRef === undefined
      ? undefined
      : trustedRootOf(rootSecret, id(spec.trustedRootSecretRef.name));
    const rootUsed = rootSecret === undefined ? [] : [rootSecret];
    if (spec.keyless) {
      if (trustedRoot === undefined) {
        throw new MaterialError('keyless verification needs spec.verify.trustedRootSecretRef: bob does not fetch the public Sigstore root over TUF', true);
      }
      const identities = spec.matchOIDCIdentity.map((m) => ({ subjectRegExp: toPatternSource(m.subject.regexp), issuerRegExp: toPatternSource(m.issuer.regexp) }));
      return { verifier: createCosignVerifier({ keyless: { identities }, trustedRoot, attestations }), used: rootUsed };
    }
    const secret = await readVerifySecret(secrets, namespace, spec.secretRef.name, signal);
    const publicKeys = cosignKeys(secret, id(spec.secretRef.name));
    return {
      verifier: createCosignVerifier({ publicKeys, ignoreTlog: true, attestations, ...(trustedRoot === undefined ? {} : { trustedRoot }) }),
      used: [secret, ...rootUsed],
    };
  }
  const secret = await readVerifySecret(secrets, namespace, spec.secretRef.name, signal);
  if (spec.provider === 'notation') {
    const { policy, store } = notationTrust(secret, id(spec.secretRef.name));
    return { verifier: createNotationVerifier({ trustPolicy: policy, trustStore: store }), used: [secret] };
  }
  return { verifier: policyVerifier(secret, id(spec.secretRef.name)), used: [secret] };
}

/** A fingerprint of the spec.verify settings themselves (patterns, attestations, refs). */
function specFingerprint(spec: VerificationSpec): string {
  return createHash('sha256').update(JSON.stringify(spec, (_key, value: unknown) => (value instanceof RegExp ? value.source : value))).digest('hex');
}

/**
 * Reads spec.verify's Secrets and builds its Verifier; undefined without
 * spec.verify. Throws a StepFailure on SourceVerified (reason
 * VerificationConfigInvalid; stalling only for keyless without a trusted root).
 */
export async function readVerificationMaterial(
  object: OCIRepository, secrets: SecretSource, signal: AbortSignal,
): Promise<VerificationMaterial | undefined> {
  const spec = object.spec.verify;
  if (spec === undefined) return undefined;
  const label = toProviderLabel(spec);
  try {
    const { verifier, used } = await buildVerifier(object, spec, secrets, signal);
    return { verifier, label, fingerprint: toFingerprint([specFingerprint(spec)], used) };
  } catch (error) {
    const configError = error instanceof MaterialError || isBobError(error, 'CONFIG_INVALID');
    const stall = error instanceof MaterialError && error.stall;
    throw new StepFailure({
      condition: CONDITION.sourceVerified,
      reason: REASON.verificationConfigInvalid,
      message: toVerificationMessage(label, configError ? describeError(error) : `failed to read verification material: ${describeError(error)}`),
      stall,
      cause: error,
    });
  }
}
