/**
 * notation's OCI trust policy (`trustpolicy.oci.json`, or the legacy
 * `trustpolicy.json`: same format), validated as notation-go
 * verifier/trustpolicy does (research/signatures.md §6.6): every rule
 * broken is reported, in one configInvalid error. Unknown members are
 * ignored like Go's decoder does; duplicate keys are refused.
 */
import type { BobError } from '../../shared/index.ts';
import { configInvalid } from '../errors.ts';
import { isJsonObject, parseStrictJson, type JsonObject } from '../strict-json.ts';
import { DistinguishedNameError, parseDistinguishedName, isSubsetOf, type DistinguishedName } from './distinguished-name.ts';

export type VerificationLevelName = 'strict' | 'permissive' | 'audit' | 'skip';
export type ValidationType = 'integrity' | 'authenticity' | 'authenticTimestamp' | 'expiry' | 'revocation';
export type ValidationAction = 'enforce' | 'log' | 'skip';
export type TrustStoreType = 'ca' | 'signingAuthority' | 'tsa';

export interface TrustStoreReference {
  readonly type: TrustStoreType;
  readonly name: string;
}

/** `*` (any identity) or the parsed `x509.subject:` names. */
export type TrustedIdentities =
  | { readonly kind: 'any' }
  | { readonly kind: 'x509.subject'; readonly names: readonly { readonly text: string; readonly name: DistinguishedName }[] };

export interface TrustPolicyStatement {
  readonly name: string;
  readonly registryScopes: readonly string[];
  readonly level: VerificationLevelName;
  /** The action per check after overrides. */
  readonly actions: Readonly<Record<ValidationType, ValidationAction>>;
  /** `always` (also when unset) or `afterCertExpiry`. */
  readonly verifyTimestamp: 'always' | 'afterCertExpiry';
  readonly trustStores: readonly TrustStoreReference[];
  readonly trustedIdentities: TrustedIdentities;
}

export interface TrustPolicyDocument {
  readonly version: '1.0';
  readonly trustPolicies: readonly TrustPolicyStatement[];
}

const LEVELS: Readonly<Record<VerificationLevelName, Readonly<Record<ValidationType, ValidationAction>>>> = {
  strict: { integrity: 'enforce', authenticity: 'enforce', authenticTimestamp: 'enforce', expiry: 'enforce', revocation: 'enforce' },
  permissive: { integrity: 'enforce', authenticity: 'enforce', authenticTimestamp: 'log', expiry: 'log', revocation: 'log' },
  audit: { integrity: 'enforce', authenticity: 'log', authenticTimestamp: 'log', expiry: 'log', revocation: 'log' },
  skip: { integrity: 'skip', authenticity: 'skip', authenticTimestamp: 'skip', expiry: 'skip', revocation: 'skip' },
};

const OVERRIDABLE: readonly ValidationType[] = ['authenticity', 'authenticTimestamp', 'expiry', 'revocation'];
const STORE_TYPES: readonly TrustStoreType[] = ['ca', 'signingAuthority', 'tsa'];
const STORE_NAME = /^[a-zA-Z0-9_.-]+$/;
const X509_SUBJECT = 'x509.subject';
const WILDCARD = '*';

// Registry scope grammar: domain[:port]/repository (oras-go registry.ParseReference, no tag, no digest).
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const SCOPE_DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]{1,5})?`;
const SCOPE_PATH = '[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*)*';
const SCOPE_PATTERN = new RegExp(`^${SCOPE_DOMAIN}/${SCOPE_PATH}$`);

/** The default action of every check at `level` (the matrix of §6.6). */
export function toLevelActions(level: VerificationLevelName): Readonly<Record<ValidationType, ValidationAction>> {
  return LEVELS[level];
}

function isLevel(value: unknown): value is VerificationLevelName {
  return typeof value === 'string' && Object.hasOwn(LEVELS, value);
}

function readStringArray(statement: JsonObject, key: string, label: string, problems: string[]): string[] {
  const value = statement[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string')) {
    problems.push(`${label}: "${key}" must be an array of strings`);
    return [];
  }
  return value;
}

function readActions(
  verification: JsonObject, level: VerificationLevelName, label: string, problems: string[],
): Record<ValidationType, ValidationAction> {
  const actions = { ...LEVELS[level] };
  const override = verification['override'];
  if (override === undefined || override === null) return actions;
  if (!isJsonObject(override)) {
    problems.push(`${label}: "override" must be an object`);
    return actions;
  }
  if (level === 'skip' && Object.keys(override).length > 0) {
    problems.push(`${label}: verification level "skip" cannot be overridden`);
    return actions;
  }
  for (const [check, action] of Object.entries(override)) {
    if (check === 'integrity') {
      problems.push(`${label}: "integrity" validation cannot be overridden`);
      continue;
    }
    if (!(OVERRIDABLE as readonly string[]).includes(check)) {
      problems.push(`${label}: override has unknown validation type ${JSON.stringify(check)}`);
      continue;
    }
    if (action !== 'enforce' && action !== 'log' && action !== 'skip') {
      problems.push(`${label}: override of ${check} has unknown validation action ${JSON.stringify(action)}`);
      continue;
    }
    if (action === 'skip' && check !== 'revocation') {
      problems.push(`${label}: ${check} validation cannot be skipped (only revocation can)`);
      continue;
    }
    actions[check as ValidationType] = action;
  }
  return actions;
}

function readTrustStores(values: readonly string[], label: string, problems: string[]): TrustStoreReference[] {
  const stores: TrustStoreReference[] = [];
  for (const value of values) {
    const colon = value.indexOf(':');
    const type = value.slice(0, colon);
    const name = value.slice(colon + 1);
    if (colon < 0 || !(STORE_TYPES as readonly string[]).includes(type)) {
      problems.push(`${label}: trust store ${JSON.stringify(value)} must be "ca:<name>", "signingAuthority:<name>" or "tsa:<name>"`);
    } else if (!STORE_NAME.test(name)) {
      problems.push(`${label}: trust store ${JSON.stringify(value)} has an invalid name (allowed: letters, digits, "_", ".", "-")`);
    } else if (stores.some((store) => store.type === type && store.name === name)) {
      problems.push(`${label}: trust store ${JSON.stringify(value)} is listed twice`);
    } else {
      stores.push({ type: type as TrustStoreType, name });
    }
  }
  return stores;
}

function readIdentities(values: readonly string[], label: string, problems: string[]): TrustedIdentities {
  if (values.includes(WILDCARD)) {
    if (values.length > 1) {
      problems.push(`${label}: uses a wildcard trusted identity "*", a wildcard identity cannot be used in conjunction with other values`);
    }
    return { kind: 'any' };
  }
  const names: { text: string; name: DistinguishedName }[] = [];
  for (const identity of values) {
    const colon = identity.indexOf(':');
    if (identity.trim() === '') {
      problems.push(`${label}: has an empty trusted identity`);
      continue;
    }
    if (colon < 0) {
      problems.push(`${label}: trusted identity ${JSON.stringify(identity)} has no identity prefix (expected "${X509_SUBJECT}:")`);
      continue;
    }
    const prefix = identity.slice(0, colon).trim();
    const value = identity.slice(colon + 1).trim();
    if (prefix !== X509_SUBJECT) {
      problems.push(`${label}: trusted identity ${JSON.stringify(identity)} has unsupported prefix ${JSON.stringify(prefix)} (only "${X509_SUBJECT}" is supported)`);
      continue;
    }
    try {
      names.push({ text: identity, name: parseDistinguishedName(value) });
    } catch (error) {
      if (!(error instanceof DistinguishedNameError)) throw error;
      problems.push(`${label}: ${error.message}`);
    }
  }
  // Overlapping names (one a subset of another) make the policy ambiguous (notation-go isX509DistinguishedNamesOverlapped).
  names.forEach((left, i) => {
    names.slice(i + 1).forEach((right) => {
      if (isSubsetOf(left.name, right.name) || isSubsetOf(right.name, left.name)) {
        problems.push(`${label}: has overlapping x509 trustedIdentities, ${JSON.stringify(left.text)} overlaps with ${JSON.stringify(right.text)}`);
      }
    });
  });
  return { kind: 'x509.subject', names };
}

function readScopes(values: readonly string[], label: string, problems: string[]): string[] {
  if (values.length === 0) {
    problems.push(`${label}: has zero registry scopes, it must specify registry scopes with at least one value`);
    return [];
  }
  if (values.includes(WILDCARD) && values.length > 1) {
    problems.push(`${label}: uses wildcard registry scope "*", a wildcard scope cannot be used in conjunction with other scope values`);
  }
  const seen = new Set<string>();
  for (const scope of values) {
    if (seen.has(scope)) problems.push(`${label}: registry scope ${JSON.stringify(scope)} is listed twice`);
    seen.add(scope);
    if (scope !== WILDCARD && !SCOPE_PATTERN.test(scope)) {
      problems.push(`${label}: registry scope ${JSON.stringify(scope)} is not valid, make sure it is a fully qualified repository without tag, digest or wildcards (e.g. "registry.example.com/ns/repo")`);
    }
  }
  return values.filter((scope, index) => values.indexOf(scope) === index);
}

function readStatement(value: unknown, index: number, problems: string[]): TrustPolicyStatement | undefined {
  if (!isJsonObject(value)) {
    problems.push(`trustPolicies[${String(index)}] must be an object`);
    return undefined;
  }
  const name = value['name'];
  if (typeof name !== 'string' || name === '') {
    problems.push(`trustPolicies[${String(index)}]: a trust policy statement is missing its "name", every statement requires a name`);
    return undefined;
  }
  const label = `trust policy statement ${JSON.stringify(name)}`;
  const verification = value['signatureVerification'];
  const levelName = isJsonObject(verification) ? verification['level'] : undefined;
  if (!isJsonObject(verification) || !isLevel(levelName)) {
    problems.push(`${label}: signatureVerification.level ${JSON.stringify(levelName ?? '')} is invalid (expected strict, permissive, audit or skip)`);
    return undefined;
  }
  const actions = readActions(verification, levelName, label, problems);
  const verifyTimestamp = verification['verifyTimestamp'];
  if (verifyTimestamp !== undefined && verifyTimestamp !== '' && verifyTimestamp !== 'always' && verifyTimestamp !== 'afterCertExpiry') {
    problems.push(`${label}: verifyTimestamp ${JSON.stringify(verifyTimestamp)} is invalid (expected "always" or "afterCertExpiry")`);
  }
  const registryScopes = readScopes(readStringArray(value, 'registryScopes', label, problems), label, problems);
  const storeValues = readStringArray(value, 'trustStores', label, problems);
  const identityValues = readStringArray(value, 'trustedIdentities', label, problems);
  if (levelName === 'skip') {
    if (storeValues.length > 0 || identityValues.length > 0) {
      problems.push(`${label}: is set to skip signature verification but configured with trust stores and/or trusted identities, remove them as they are not needed`);
    }
  } else if (storeValues.length === 0 || identityValues.length === 0) {
    problems.push(`${label}: is either missing trust stores or trusted identities, both must be specified`);
  }
  const trustStores = readTrustStores(storeValues, label, problems);
  const trustedIdentities = identityValues.length === 0 ? { kind: 'x509.subject' as const, names: [] } : readIdentities(identityValues, label, problems);
  return {
    name, registryScopes, level: levelName, actions,
    verifyTimestamp: verifyTimestamp === 'afterCertExpiry' ? 'afterCertExpiry' : 'always',
    trustStores, trustedIdentities,
  };
}

function invalid(problems: readonly string[]): BobError {
  return configInvalid(`invalid trust policy: ${problems.join('; ')}`, { details: { problems: problems.slice(0, 20).join('\n') } });
}

/**
 * Parses and validates a trust policy document (bytes, text, or an
 * already-decoded JSON value). Throws CONFIG_INVALID naming every problem.
 */
export function parseTrustPolicy(input: Uint8Array | string | JsonObject): TrustPolicyDocument {
  let document: unknown = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    try {
      document = parseStrictJson(input);
    } catch (error) {
      throw configInvalid(`invalid trust policy: not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (!isJsonObject(document)) throw invalid(['the document must be a JSON object']);
  const problems: string[] = [];
  if (document['version'] !== '1.0') problems.push(`trust policy document uses unsupported version ${JSON.stringify(document['version'] ?? '')}, expected "1.0"`);
  const list = document['trustPolicies'];
  if (!Array.isArray(list) || list.length === 0) {
    problems.push('trust policy document can not have zero trust policy statements');
    throw invalid(problems);
  }
  const statements: TrustPolicyStatement[] = [];
  list.forEach((value: unknown, index) => {
    const statement = readStatement(value, index, problems);
    if (statement === undefined) return;
    if (statements.some((other) => other.name === statement.name)) {
      problems.push(`multiple trust policy statements use the same name ${JSON.stringify(statement.name)}, statement names must be unique`);
    }
    statements.push(statement);
  });
  const owners = new Map<string, string>();
  for (const statement of statements) {
    for (const scope of statement.registryScopes) {
      const owner = owners.get(scope);
      if (owner !== undefined && owner !== statement.name) {
        problems.push(`registry scope ${JSON.stringify(scope)} is present in multiple trust policy statements (${JSON.stringify(owner)} and ${JSON.stringify(statement.name)}), one registry scope value can only be associated with one statement`);
      }
      owners.set(scope, statement.name);
    }
  }
  if (problems.length > 0) throw invalid(problems);
  return { version: '1.0', trustPolicies: statements };
}

/**
 * The statement that applies to a repository (`registry/repository`,
 * compared as written: no normalization): an exact scope match, else the
 * `*` statement, else none.
 */
export function selectTrustPolicy(document: TrustPolicyDocument, repository: string): TrustPolicyStatement | undefined {
  return document.trustPolicies.find((statement) => statement.registryScopes.includes(repository))
    ?? document.trustPolicies.find((statement) => statement.registryScopes.includes(WILDCARD));
}
