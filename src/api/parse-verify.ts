/**
 * spec.verify. Cross-field rules (the CRD's CEL rules say the same):
 * notation and policy need secretRef; cosign without secretRef is keyless
 * and needs at least one matchOIDCIdentity entry, because Flux's "empty
 * list accepts any Fulcio identity" would trust anyone with an OIDC
 * account (research/reliability.md §6 row 31); matchOIDCIdentity only with
 * keyless cosign; trustedRootSecretRef and attestations only with cosign.
 */
import { DEFAULT_VERIFICATION_PROVIDER, SPEC_LIMITS, VERIFICATION_PROVIDERS } from './constants.ts';
import { readEnum, readLocalReference, readPattern } from './parse-fields.ts';
import { checkKnownKeys, isJsonObject, readArray, readString, type JsonObject } from './read-json.ts';
import type { FieldErrors } from './spec-error.ts';
import { MESSAGES, PREDICATE_TYPE_PATTERN } from './spec-rules.ts';
import type { AttestationRequirement, OIDCIdentityMatch, Pattern, VerificationSpec } from './types.ts';

const PREDICATE_TYPE = new RegExp(PREDICATE_TYPE_PATTERN);
const VERIFY_KEYS = ['provider', 'secretRef', 'matchOIDCIdentity', 'trustedRootSecretRef', 'attestations'];

function readIdentityPattern(entry: JsonObject, key: 'issuer' | 'subject', at: string, errors: FieldErrors): Pattern | undefined {
  const text = readString(entry, key, at, errors);
  if (text === undefined) {
    if (entry[key] === undefined || entry[key] === null) errors.add(`${at}.${key}`, 'is required');
    return undefined;
  }
  if (text === '') {
    errors.add(`${at}.${key}`, 'must not be empty');
    return undefined;
  }
  return readPattern(text, `${at}.${key}`, errors);
}

function readIdentities(items: readonly unknown[], path: string, errors: FieldErrors): OIDCIdentityMatch[] {
  if (items.length > SPEC_LIMITS.identities) errors.add(path, `must have at most ${SPEC_LIMITS.identities} entries`);
  const identities: OIDCIdentityMatch[] = [];
  items.forEach((item, index) => {
    const at = `${path}[${index}]`;
    if (!isJsonObject(item)) {
      errors.add(at, 'must be an object with issuer and subject');
      return;
    }
    checkKnownKeys(item, ['issuer', 'subject'], at, errors);
    const issuer = readIdentityPattern(item, 'issuer', at, errors);
    const subject = readIdentityPattern(item, 'subject', at, errors);
    if (issuer !== undefined && subject !== undefined) identities.push({ issuer, subject });
  });
  return identities;
}

function readAttestations(items: readonly unknown[], path: string, errors: FieldErrors): AttestationRequirement[] {
  if (items.length > SPEC_LIMITS.attestations) errors.add(path, `must have at most ${SPEC_LIMITS.attestations} entries`);
  const seen = new Set<string>();
  const attestations: AttestationRequirement[] = [];
  items.forEach((item, index) => {
    const at = `${path}[${index}]`;
    if (!isJsonObject(item)) {
      errors.add(at, 'must be an object with predicateType');
      return;
    }
    checkKnownKeys(item, ['predicateType'], at, errors);
    const predicateType = readString(item, 'predicateType', at, errors);
    if (predicateType === undefined) {
      if (item['predicateType'] === undefined || item['predicateType'] === null) errors.add(`${at}.predicateType`, 'is required');
      return;
    }
    if (predicateType.length > SPEC_LIMITS.predicateTypeLength || !PREDICATE_TYPE.test(predicateType)) {
      errors.add(`${at}.predicateType`, MESSAGES.predicateType);
      return;
    }
    if (seen.has(predicateType)) {
      errors.add(`${at}.predicateType`, 'duplicate predicateType');
      return;
    }
    seen.add(predicateType);
    attestations.push({ predicateType });
  });
  return attestations;
}

/** Parses spec.verify (`verify` is the object at `path`). */
export function parseVerification(verify: JsonObject, path: string, errors: FieldErrors): VerificationSpec | undefined {
  const before = errors.list.length;
  checkKnownKeys(verify, VERIFY_KEYS, path, errors);
  const provider = readEnum(verify, 'provider', path, VERIFICATION_PROVIDERS, DEFAULT_VERIFICATION_PROVIDER, errors);
  const secretRef = readLocalReference(verify, 'secretRef', path, errors);
  const trustedRootSecretRef = readLocalReference(verify, 'trustedRootSecretRef', path, errors);
  const identityItems = readArray(verify, 'matchOIDCIdentity', path, errors);
  const identities = identityItems === undefined ? undefined : readIdentities(identityItems, `${path}.matchOIDCIdentity`, errors);
  const attestationItems = readArray(verify, 'attestations', path, errors);
  const attestations = attestationItems === undefined ? [] : readAttestations(attestationItems, `${path}.attestations`, errors);
  const hasSecretRef = verify['secretRef'] !== undefined && verify['secretRef'] !== null;

  if (provider === 'notation' && !hasSecretRef) errors.add(`${path}.secretRef`, MESSAGES.notationNeedsSecret);
  if (provider === 'policy' && !hasSecretRef) errors.add(`${path}.secretRef`, MESSAGES.policyNeedsSecret);
  if (provider === 'cosign' && !hasSecretRef && (identityItems === undefined || identityItems.length === 0)) {
    errors.add(`${path}.matchOIDCIdentity`, MESSAGES.keylessNeedsIdentity);
  } else if (identityItems !== undefined && (provider !== 'cosign' || hasSecretRef)) {
    errors.add(`${path}.matchOIDCIdentity`, MESSAGES.identityOnlyKeyless);
  }
  if (verify['trustedRootSecretRef'] !== undefined && verify['trustedRootSecretRef'] !== null && provider !== 'cosign') {
    errors.add(`${path}.trustedRootSecretRef`, MESSAGES.trustedRootOnlyCosign);
  }
  if (attestationItems !== undefined && provider !== 'cosign') errors.add(`${path}.attestations`, MESSAGES.attestationsOnlyCosign);
  if (errors.list.length !== before || provider === undefined) return undefined;

  const trustedRoot = trustedRootSecretRef === undefined ? {} : { trustedRootSecretRef };
  switch (provider) {
    case 'cosign':
      return secretRef === undefined
        ? { provider, keyless: true, matchOIDCIdentity: identities ?? [], ...trustedRoot, attestations }
        : { provider, keyless: false, secretRef, ...trustedRoot, attestations };
    case 'notation':
    case 'policy':
      // hasSecretRef without errors means secretRef parsed.
      return secretRef === undefined ? undefined : { provider, secretRef };
  }
}
