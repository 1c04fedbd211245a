/**
 * containers-registries.d(5): where simple signatures live (lookaside) and
 * whether sigstore attachments are read (research/signatures.md §2;
 * containers/image docker/registries_d.go).
 *
 * Files are merged; `default-docker` or one `docker` namespace defined in
 * two files is an error. Lookup uses the same identity and namespace list
 * as policy.json, but unlike policy.json a matching section that lacks
 * the wanted key does not stop the search: it falls through to less
 * specific sections, then to `default-docker`. Unknown keys are ignored,
 * as upstream's non-strict YAML decoding does.
 */
import { parse as parseYaml } from 'yaml';
import { configInvalid } from '../errors.ts';
import type { DockerReference } from './docker-reference.ts';
import { toPolicyIdentity, toPolicyNamespaces } from './scopes.ts';

/** One `docker:` namespace or `default-docker` section; undefined fields were not set. */
export interface RegistryNamespace {
  readonly lookaside?: string;
  readonly lookasideStaging?: string;
  /** Deprecated spelling of lookaside, still read. */
  readonly sigstore?: string;
  readonly sigstoreStaging?: string;
  readonly useSigstoreAttachments?: boolean;
}

export interface RegistriesD {
  readonly defaultDocker?: RegistryNamespace;
  readonly docker: ReadonlyMap<string, RegistryNamespace>;
}

/** One registries.d file as read by the caller. */
export interface RegistriesDFile {
  readonly name: string;
  readonly text: string;
}

function fileError(file: string, message: string): Error {
  return configInvalid(`registries.d ${file}: ${message}`, { details: { file } });
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readOptionalString(section: Readonly<Record<string, unknown>>, key: string, file: string, at: string): string | undefined {
  const value = section[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw fileError(file, `${at}.${key} must be a string`);
  return value;
}

function parseNamespace(value: unknown, file: string, at: string): RegistryNamespace {
  if (value === null || value === undefined) return {};
  if (!isRecord(value)) throw fileError(file, `${at} must be a mapping`);
  const use = value['use-sigstore-attachments'];
  if (use !== undefined && use !== null && typeof use !== 'boolean') {
    throw fileError(file, `${at}.use-sigstore-attachments must be true or false`);
  }
  const read = (key: string): string | undefined => readOptionalString(value, key, file, at);
  const lookaside = read('lookaside');
  const lookasideStaging = read('lookaside-staging');
  const sigstore = read('sigstore');
  const sigstoreStaging = read('sigstore-staging');
  return {
    ...(lookaside === undefined ? {} : { lookaside }),
    ...(lookasideStaging === undefined ? {} : { lookasideStaging }),
    ...(sigstore === undefined ? {} : { sigstore }),
    ...(sigstoreStaging === undefined ? {} : { sigstoreStaging }),
    ...(typeof use === 'boolean' ? { useSigstoreAttachments: use } : {}),
  };
}

/**
 * Parses and merges registries.d files. Only names ending in `.yaml` are
 * read (upstream ignores others). Throws CONFIG_INVALID naming the file
 * for YAML errors, wrong types and definitions repeated across files.
 */
export function parseRegistriesD(files: readonly RegistriesDFile[]): RegistriesD {
  let defaultDocker: RegistryNamespace | undefined;
  let defaultFrom = '';
  const docker = new Map<string, RegistryNamespace>();
  const namespaceFrom = new Map<string, string>();
  for (const file of [...files].filter((candidate) => candidate.name.endsWith('.yaml')).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    let document: unknown;
    try {
      document = parseYaml(file.text, { uniqueKeys: true, maxAliasCount: 100, prettyErrors: false });
    } catch (error) {
      throw fileError(file.name, `invalid YAML: ${error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error)}`);
    }
    if (document === null || document === undefined) continue;
    if (!isRecord(document)) throw fileError(file.name, 'the top level must be a mapping');
    const defaultSection = document['default-docker'];
    if (defaultSection !== undefined && defaultSection !== null) {
      if (defaultDocker !== undefined) {
        throw fileError(file.name, `"default-docker" defined both in "${defaultFrom}" and "${file.name}"`);
      }
      defaultDocker = parseNamespace(defaultSection, file.name, 'default-docker');
      defaultFrom = file.name;
    }
    const namespaces = document['docker'];
    if (namespaces === undefined || namespaces === null) continue;
    if (!isRecord(namespaces)) throw fileError(file.name, '"docker" must be a mapping of namespaces');
    for (const [namespace, section] of Object.entries(namespaces)) {
      const previous = namespaceFrom.get(namespace);
      if (previous !== undefined) {
        throw fileError(file.name, `"docker" namespace "${namespace}" defined both in "${previous}" and "${file.name}"`);
      }
      docker.set(namespace, parseNamespace(section, file.name, `docker[${JSON.stringify(namespace)}]`));
      namespaceFrom.set(namespace, file.name);
    }
  }
  return { docker, ...(defaultDocker === undefined ? {} : { defaultDocker }) };
}

/** The first value `pick` finds, walking identity, namespaces, then default-docker; sections without it fall through. */
function lookup<T>(config: RegistriesD, reference: DockerReference, pick: (section: RegistryNamespace) => T | undefined): T | undefined {
  for (const key of [toPolicyIdentity(reference), ...toPolicyNamespaces(reference)]) {
    const section = config.docker.get(key);
    const value = section === undefined ? undefined : pick(section);
    if (value !== undefined) return value;
  }
  return config.defaultDocker === undefined ? undefined : pick(config.defaultDocker);
}

/**
 * The configured lookaside top-level URL for reading (`lookaside`, else
 * the deprecated `sigstore`), or undefined when none is configured (bob
 * has no local default directory: a controller has no signature store).
 */
export function lookasideFor(config: RegistriesD, reference: DockerReference): string | undefined {
  return lookup(config, reference, (section) => section.lookaside ?? section.sigstore);
}

/** `use-sigstore-attachments` for the reference; false unless some section says true. */
export function usesSigstoreAttachments(config: RegistriesD, reference: DockerReference): boolean {
  return lookup(config, reference, (section) => section.useSigstoreAttachments) ?? false;
}

/**
 * The URL of signature number `index` (1-based) in lookaside storage:
 * `<base>/<repository path>@<algorithm>=<hex>/signature-<index>`
 * (signature-protocols.md; the repository path has no host).
 */
export function toLookasideUrl(base: string, reference: DockerReference, digest: string, index: number): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw configInvalid(`registries.d: invalid signature storage URL ${JSON.stringify(base.slice(0, 200))}`);
  }
  const colon = digest.indexOf(':');
  // WHATWG reports "/" for an absent path; Go's url.Path is "" there, and the join must not double the slash.
  const explicitRoot = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*\//i.test(base) || !/^[a-z][a-z0-9+.-]*:\/\//i.test(base);
  const basePath = url.pathname === '/' && !explicitRoot ? '' : url.pathname;
  url.pathname = `${basePath}/${reference.path}@${digest.slice(0, colon)}=${digest.slice(colon + 1)}/signature-${String(index)}`;
  return url.toString();
}
