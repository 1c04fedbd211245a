/**
 * `signedIdentity` / `baseLayerIdentity` objects (PolicyReferenceMatch):
 * exact field sets per type, references validated at parse time
 * (containers/image signature/policy_config.go; research/signatures.md §1.4).
 */
import {
  DockerReferenceError, isNameOnly, isValidRemapPrefix, parseNormalizedNamed,
} from './docker-reference.ts';
import { pathOf, policyError, readObject, readString, requireKeys } from './policy-json.ts';
import type { SignedIdentity } from './policy-types.ts';
import { isJsonObject } from '../strict-json.ts';

const FIELDS: Readonly<Record<SignedIdentity['type'], readonly string[]>> = {
  matchExact: ['type'],
  matchRepoDigestOrExact: ['type'],
  matchRepository: ['type'],
  exactReference: ['type', 'dockerReference'],
  exactRepository: ['type', 'dockerRepository'],
  remapIdentity: ['type', 'prefix', 'signedPrefix'],
};

function isIdentityType(value: string): value is SignedIdentity['type'] {
  return Object.hasOwn(FIELDS, value);
}

function referenceError(error: unknown): string {
  return error instanceof DockerReferenceError ? error.message : String(error);
}

/** Parses one PolicyReferenceMatch object at `at`. An explicit `null` is refused, as upstream does. */
export function parseSignedIdentity(value: unknown, at: string): SignedIdentity {
  // Upstream reads `type` leniently first: a null or non-object has type "".
  const rawType = isJsonObject(value) ? value['type'] : undefined;
  const type = typeof rawType === 'string' ? rawType : '';
  if (rawType !== undefined && rawType !== null && typeof rawType !== 'string') readString(rawType, pathOf(at, 'type'));
  if (!isIdentityType(type)) throw policyError(at, `Unknown policy reference match type ${JSON.stringify(type)}`);
  const fields = FIELDS[type];
  const object = readObject(value, at, fields);
  requireKeys(object, at, fields);
  switch (type) {
    case 'matchExact':
    case 'matchRepoDigestOrExact':
    case 'matchRepository':
      return { type };
    case 'exactReference': {
      const dockerReference = readString(object['dockerReference'], pathOf(at, 'dockerReference'));
      let parsed;
      try {
        parsed = parseNormalizedNamed(dockerReference);
      } catch (error) {
        throw policyError(pathOf(at, 'dockerReference'), `Invalid format of dockerReference ${JSON.stringify(dockerReference)}: ${referenceError(error)}`);
      }
      if (isNameOnly(parsed)) {
        throw policyError(pathOf(at, 'dockerReference'), `dockerReference ${JSON.stringify(dockerReference)} contains neither a tag nor digest`);
      }
      return { type, dockerReference };
    }
    case 'exactRepository': {
      const dockerRepository = readString(object['dockerRepository'], pathOf(at, 'dockerRepository'));
      try {
        parseNormalizedNamed(dockerRepository);
      } catch (error) {
        throw policyError(pathOf(at, 'dockerRepository'), `Invalid format of dockerRepository ${JSON.stringify(dockerRepository)}: ${referenceError(error)}`);
      }
      return { type, dockerRepository };
    }
    case 'remapIdentity': {
      const prefix = readString(object['prefix'], pathOf(at, 'prefix'));
      const signedPrefix = readString(object['signedPrefix'], pathOf(at, 'signedPrefix'));
      for (const [key, text] of [['prefix', prefix], ['signedPrefix', signedPrefix]] as const) {
        if (!isValidRemapPrefix(text)) throw policyError(pathOf(at, key), `prefix ${JSON.stringify(text)} is not valid`);
      }
      return { type, prefix, signedPrefix };
    }
  }
}
