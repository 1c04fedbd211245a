/**
 * The edge between the API server's JSON and the controller (house rule 1):
 * parse once, report every bad field, trust the result everywhere else.
 */
import { API_VERSION, KIND } from './constants.ts';
import { parseMetadata } from './parse-metadata.ts';
import { parseSpec } from './parse-spec.ts';
import { parseStatus } from './parse-status.ts';
import { isJsonObject, readObject, readString } from './read-json.ts';
import { FieldErrors, SpecInvalidError } from './spec-error.ts';
import type { OCIRepository } from './types.ts';

/** A parsed object and the parts of its status that were dropped as malformed. */
export interface ParsedOCIRepository {
  readonly object: OCIRepository;
  readonly warnings: readonly string[];
}

function subjectOf(raw: unknown): string {
  const metadata = isJsonObject(raw) && isJsonObject(raw['metadata']) ? raw['metadata'] : {};
  const name = typeof metadata['name'] === 'string' ? metadata['name'] : '';
  const namespace = typeof metadata['namespace'] === 'string' ? metadata['namespace'] : '';
  const shown = `${namespace}/${name}`.replace(/[^\w./-]/g, '?').slice(0, 320);
  return shown === '/' ? KIND : `${KIND} ${shown}`;
}

/**
 * Parses an OCIRepository as the API server returns it. Throws a
 * SpecInvalidError (code SPEC_INVALID, stalling) listing every bad field of
 * apiVersion, kind, metadata and spec; status problems only produce warnings.
 * An absent apiVersion or kind is taken as this API's.
 */
export function parseOCIRepository(raw: unknown): ParsedOCIRepository {
  const errors = new FieldErrors();
  if (!isJsonObject(raw)) {
    errors.add('(root)', 'must be an object');
    throw new SpecInvalidError(KIND, errors.list);
  }
  const apiVersion = readString(raw, 'apiVersion', '', errors) ?? API_VERSION;
  if (apiVersion !== API_VERSION) errors.add('apiVersion', `must be ${API_VERSION}`);
  const kind = readString(raw, 'kind', '', errors) ?? KIND;
  if (kind !== KIND) errors.add('kind', `must be ${KIND}`);
  const metadataObject = readObject(raw, 'metadata', '', errors);
  if (metadataObject === undefined) errors.add('metadata', 'is required');
  const metadata = metadataObject === undefined ? undefined : parseMetadata(metadataObject, 'metadata', errors);
  const specObject = readObject(raw, 'spec', '', errors);
  if (specObject === undefined && (raw['spec'] === undefined || raw['spec'] === null)) errors.add('spec', 'is required');
  const spec = specObject === undefined ? undefined : parseSpec(specObject, 'spec', errors);
  const warnings: string[] = [];
  const statusObject = isJsonObject(raw['status']) ? raw['status'] : undefined;
  if (raw['status'] !== undefined && raw['status'] !== null && statusObject === undefined) warnings.push('status: must be an object (ignored)');
  const status = parseStatus(statusObject, 'status', warnings);
  // Paths of top-level fields come out as ".spec"; drop the leading dot.
  const fields = errors.list.map((f) => ({ path: f.path.replace(/^\./, ''), message: f.message }));
  if (fields.length > 0 || metadata === undefined || spec === undefined) throw new SpecInvalidError(subjectOf(raw), fields);
  return { object: { apiVersion, kind, metadata, spec, status }, warnings };
}
