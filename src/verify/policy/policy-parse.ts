/**
 * parsePolicy: containers-policy.json(5) as strictly as containers/image
 * reads it (research/signatures.md §1.1, §1.2, §1.7): duplicate keys,
 * unknown keys, trailing data, a missing `default`, empty requirement
 * lists and unknown types are all errors; unknown transport names are
 * accepted, as upstream does.
 */
import posix from 'node:path/posix';
import { parseRequirements } from './requirement-parse.ts';
import { pathOf, policyError, readObject } from './policy-json.ts';
import type { Policy, PolicyRequirements } from './policy-types.ts';
import { parseStrictJson, StrictJsonError } from '../strict-json.ts';

/**
 * Transports whose scopes containers/image validates as absolute, clean
 * paths (dir's and oci's ValidatePolicyConfigurationScope; oci scopes may
 * end in `:image`). `docker` accepts any scope. Other known transports'
 * scope rules are not modelled; bob only ever evaluates `docker`.
 */
const PATH_SCOPED_TRANSPORTS: ReadonlyMap<string, boolean> = new Map([['dir', false], ['oci', true], ['oci-archive', true]]);

function scopeProblem(transport: string, scope: string): string | undefined {
  const allowsImage = PATH_SCOPED_TRANSPORTS.get(transport);
  if (allowsImage === undefined || scope === '') return undefined;
  const colon = allowsImage ? scope.indexOf(':') : -1;
  const dir = colon === -1 ? scope : scope.slice(0, colon);
  if (!dir.startsWith('/')) return `Invalid scope ${scope}: must be an absolute path`;
  if (scope === '/') return 'Invalid scope "/": Use the generic default scope ""';
  if (posix.normalize(dir) !== dir || (dir.length > 1 && dir.endsWith('/'))) return `Invalid scope ${scope}: Uses non-canonical path format`;
  return undefined;
}

function parseScopes(value: unknown, transport: string, at: string): Map<string, PolicyRequirements> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw policyError(at, 'JSON object expected');
  const scopes = new Map<string, PolicyRequirements>();
  for (const [scope, requirements] of Object.entries(value)) {
    const scopeAt = pathOf(at, scope);
    const problem = scopeProblem(transport, scope);
    // Upstream's field resolver turns an invalid scope into an unknown key.
    if (problem !== undefined) throw policyError(at, `Unknown key ${JSON.stringify(scope)} (${problem})`);
    scopes.set(scope, parseRequirements(requirements, scopeAt));
  }
  return scopes;
}

/**
 * Parses policy.json text or bytes. Throws CONFIG_INVALID naming the JSON
 * path of the first problem, e.g. `policy.json transports.docker["x"][0]:
 * Unknown key "keyPth"`. Key paths are kept as written; evaluation reads
 * them through a TrustedKeyReader.
 */
export function parsePolicy(text: string | Uint8Array): Policy {
  let document: unknown;
  try {
    document = parseStrictJson(text);
  } catch (error) {
    if (error instanceof StrictJsonError) throw policyError('', `invalid JSON: ${error.message}`);
    throw error;
  }
  const object = readObject(document, '', ['default', 'transports']);
  if (!Object.hasOwn(object, 'default')) throw policyError('', 'Default policy is missing');
  const defaultRequirements = parseRequirements(object['default'], 'default');
  const transports = new Map<string, ReadonlyMap<string, PolicyRequirements>>();
  if (Object.hasOwn(object, 'transports')) {
    const value = object['transports'];
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw policyError('transports', 'JSON object expected');
    for (const [transport, scopes] of Object.entries(value)) {
      transports.set(transport, parseScopes(scopes, transport, pathOf('transports', transport)));
    }
  }
  return { default: defaultRequirements, transports };
}
