/**
 * Descriptors (image-spec descriptor.md), parsed from untrusted JSON. Sizes
 * are checked to be safe non-negative integers here, before anything can use
 * them to allocate (oras-go GHSA-f36w: a 2^62 size).
 */
import { isDigest } from './digest.ts';
import { ociError } from './errors.ts';

export interface Platform {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
  readonly 'os.version'?: string;
  readonly 'os.features'?: readonly string[];
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly urls?: readonly string[];
  readonly annotations?: Readonly<Record<string, string>>;
  readonly artifactType?: string;
  readonly platform?: Platform;
  /** Base64 of the content, embedded (image-spec descriptor.md §"Embedded content"). */
  readonly data?: string;
}

type Json = Readonly<Record<string, unknown>>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Guard: a size we can count up to without losing precision. */
export function isValidSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Collects every bad field path, then throws once (house rule 1: report every bad field). */
export class FieldProblems {
  readonly problems: string[] = [];

  add(path: string, problem: string): void {
    this.problems.push(`${path}: ${problem}`);
  }

  get isEmpty(): boolean {
    return this.problems.length === 0;
  }
}

function stringRecord(value: unknown, path: string, problems: FieldProblems): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    problems.add(path, 'must be an object of strings');
    return undefined;
  }
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry === 'string') result[key] = entry;
    else problems.add(`${path}[${JSON.stringify(key.slice(0, 100))}]`, 'must be a string');
  }
  return result;
}

function stringArray(value: unknown, path: string, problems: FieldProblems): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    problems.add(path, 'must be an array of strings');
    return undefined;
  }
  return value;
}

function optionalString(value: unknown, path: string, problems: FieldProblems): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') problems.add(path, 'must be a string');
  return typeof value === 'string' ? value : undefined;
}

function toPlatform(value: unknown, path: string, problems: FieldProblems): Platform | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value) || typeof value['architecture'] !== 'string' || typeof value['os'] !== 'string') {
    problems.add(path, 'must have string architecture and os');
    return undefined;
  }
  const variant = optionalString(value['variant'], `${path}.variant`, problems);
  const osVersion = optionalString(value['os.version'], `${path}.os.version`, problems);
  const osFeatures = stringArray(value['os.features'], `${path}.os.features`, problems);
  return {
    architecture: value['architecture'],
    os: value['os'],
    ...(variant === undefined ? {} : { variant }),
    ...(osVersion === undefined ? {} : { 'os.version': osVersion }),
    ...(osFeatures === undefined ? {} : { 'os.features': osFeatures }),
  };
}

/** A descriptor from JSON, or undefined with the problems recorded under `path`. */
export function readDescriptor(value: unknown, path: string, problems: FieldProblems): Descriptor | undefined {
  if (!isObject(value)) {
    problems.add(path, 'must be an object');
    return undefined;
  }
  const before = problems.problems.length;
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== 'string' || mediaType === '') problems.add(`${path}.mediaType`, 'must be a non-empty string');
  if (!isDigest(digest)) problems.add(`${path}.digest`, 'must be a sha256/sha512 digest of lowercase hex');
  if (!isValidSize(size)) problems.add(`${path}.size`, 'must be an integer between 0 and 2^53-1');
  const urls = stringArray(value['urls'], `${path}.urls`, problems);
  const annotations = stringRecord(value['annotations'], `${path}.annotations`, problems);
  const artifactType = optionalString(value['artifactType'], `${path}.artifactType`, problems);
  const platform = toPlatform(value['platform'], `${path}.platform`, problems);
  const data = optionalString(value['data'], `${path}.data`, problems);
  if (problems.problems.length !== before || typeof mediaType !== 'string' || !isDigest(digest) || !isValidSize(size)) return undefined;
  return {
    mediaType,
    digest,
    size,
    ...(urls === undefined ? {} : { urls }),
    ...(annotations === undefined ? {} : { annotations }),
    ...(artifactType === undefined ? {} : { artifactType }),
    ...(platform === undefined ? {} : { platform }),
    ...(data === undefined ? {} : { data }),
  };
}

/** Parses one descriptor from untrusted JSON; DESCRIPTOR_INVALID lists every bad field. */
export function toDescriptor(value: unknown): Descriptor {
  const problems = new FieldProblems();
  const descriptor = readDescriptor(value, 'descriptor', problems);
  if (descriptor === undefined) {
    throw ociError('DESCRIPTOR_INVALID', `invalid descriptor: ${problems.problems.join('; ')}`);
  }
  return descriptor;
}

/** Read-only annotations helper for optional string maps. */
export function readAnnotations(value: unknown, path: string, problems: FieldProblems): Record<string, string> | undefined {
  return stringRecord(value, path, problems);
}

export function readOptionalString(value: unknown, path: string, problems: FieldProblems): string | undefined {
  return optionalString(value, path, problems);
}
