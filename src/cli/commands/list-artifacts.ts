/**
 * `bobctl list artifacts oci://repo`: the repository's tags as artifacts.
 * Unlike `flux list artifacts`, which fetches every manifest before printing,
 * manifests are fetched only for the tags that survive the filters, at most
 * DETAIL_CONCURRENCY at a time, and not at all with `--no-details`.
 */
import semver from 'semver';
import {
  ANNOTATION_REVISION, ANNOTATION_SOURCE, formatReference, type Reference, type RegistryClient,
} from '../../oci/index.ts';
import { isBobError } from '../../shared/index.ts';
import { booleanFlag, stringFlag, type Command } from '../command.ts';
import { mapLimited } from '../concurrency.ts';
import type { CliContext } from '../context.ts';
import { EXIT_OK } from '../exit-codes.ts';
import { formatTable, parseOutputFormat, writeStructured } from '../output.ts';
import { toPrintable } from '../printable.ts';
import { createRegistryClient, parseArtifactReference, REGISTRY_HELP, REGISTRY_OPTIONS } from '../registry-flags.ts';
import { usageError } from '../usage-error.ts';

const DETAIL_CONCURRENCY = 8;

/**
 * Tags that are not artifacts: cosign's signature, attestation and SBOM tags
 * (`sha256-<hex>.sig`, what flux hides) and the referrers tag-schema indexes
 * (distribution-spec §"Referrers Tag Schema": `<alg>-<hex>`, hex truncated to
 * 64, so sha512 subjects also get 64 hex characters).
 */
const COSIGN_TAG = /\.(sig|att|sbom)$/;
const REFERRERS_FALLBACK_TAG = /^(sha256|sha512)-[0-9a-f]{64}$/;

export function isHiddenTag(tag: string): boolean {
  return COSIGN_TAG.test(tag) || REFERRERS_FALLBACK_TAG.test(tag);
}

export interface TagFilters {
  /** A semver range (node-semver syntax); only tags that are valid semver (leading `v` allowed) can match. */
  readonly semverRange?: string;
  readonly pattern?: RegExp;
}

/** Parses `--filter-semver` and `--filter-regex`, refusing what would silently match nothing. */
export function toTagFilters(semverRange: string | undefined, regex: string | undefined): TagFilters {
  let pattern: RegExp | undefined;
  if (regex !== undefined) {
    try {
      pattern = new RegExp(regex);
    } catch (error) {
      throw usageError(`invalid --filter-regex "${regex.slice(0, 200)}"`, error);
    }
  }
  if (semverRange !== undefined && semver.validRange(semverRange) === null) {
    throw usageError(`invalid --filter-semver range "${semverRange.slice(0, 200)}"`);
  }
  return { ...(semverRange === undefined ? {} : { semverRange }), ...(pattern === undefined ? {} : { pattern }) };
}

/**
 * The tags to show, in display order: hidden tags dropped, filters applied;
 * newest version first under a semver filter, else reverse lexical order
 * (what flux prints, and newest first for date-stamped tags).
 */
export function selectTags(tags: readonly string[], filters: TagFilters): string[] {
  const { semverRange, pattern } = filters;
  const visible = tags.filter((tag) => !isHiddenTag(tag) && (pattern === undefined || pattern.test(tag)));
  if (semverRange === undefined) return visible.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  // semver.valid accepts one leading `v` and nothing looser: "1.0" or "latest" never match a range.
  const versioned = visible.flatMap((tag) => {
    const version = semver.valid(tag);
    return version !== null && semver.satisfies(version, semverRange) ? [{ tag, version }] : [];
  });
  return versioned.sort((a, b) => semver.rcompare(a.version, b.version) || (a.tag < b.tag ? 1 : a.tag > b.tag ? -1 : 0)).map((v) => v.tag);
}

export interface ListedArtifact {
  readonly tag: string;
  /** `oci://registry/repository:tag` */
  readonly url: string;
  readonly digest?: string;
  readonly source?: string;
  readonly revision?: string;
  /** Why the details are missing (e.g. a manifest bob cannot parse); the listing goes on. */
  readonly error?: string;
}

/** Errors about one manifest's content, which should not hide the other tags. */
const PER_TAG_ERRORS = new Set([
  'MANIFEST_UNKNOWN', 'MANIFEST_INVALID', 'MANIFEST_UNSUPPORTED', 'MANIFEST_AMBIGUOUS', 'MANIFEST_MEDIA_TYPE_MISMATCH', 'MANIFEST_TOO_LARGE',
]);

async function withDetails(client: RegistryClient, repository: Reference, tag: string, url: string, context: CliContext): Promise<ListedArtifact> {
  try {
    const { descriptor, manifest } = await client.fetchManifest({ ...repository, tag }, { signal: context.signal });
    const source = manifest.annotations?.[ANNOTATION_SOURCE];
    const revision = manifest.annotations?.[ANNOTATION_REVISION];
    return {
      tag, url, digest: descriptor.digest,
      ...(source === undefined ? {} : { source }),
      ...(revision === undefined ? {} : { revision }),
    };
  } catch (error) {
    if (!isBobError(error) || !PER_TAG_ERRORS.has(error.code)) throw error;
    return { tag, url, error: error.message };
  }
}

const SHORT_DIGEST_HEX = 12;

/**
 * The details table. Full digests, as flux prints them, unless the table
 * would overflow the terminal: then `sha256:<12 hex>` like docker's short
 * IDs (pipes always get full digests, and -o json has them too).
 */
export function formatDetailsTable(artifacts: readonly ListedArtifact[], columns: number | undefined): string {
  const table = (digest: (d: string) => string): string => formatTable(['ARTIFACT', 'DIGEST', 'SOURCE', 'REVISION'], artifacts.map((a) => [
    a.url, a.digest === undefined ? '-' : digest(a.digest), toPrintable(a.source ?? '', 100), toPrintable(a.revision ?? '', 100),
  ]));
  const full = table((d) => d);
  const widest = Math.max(...full.split('\n').map((line) => line.length));
  if (columns === undefined || widest <= columns) return full;
  return table((d) => d.slice(0, d.indexOf(':') + 1 + SHORT_DIGEST_HEX));
}

export const listArtifacts: Command = {
  name: 'list artifacts',
  summary: 'List the artifacts (tags) of a repository, with digest, source and revision',
  usage: 'list artifacts oci://<registry>/<repository> [flags]',
  help: [
    '--filter-semver range   only tags that are semver versions in the range, newest first (e.g. ">=1.0.0 <2")',
    '--filter-regex regex    only tags matching the regular expression',
    '--no-details            list tags only, without fetching any manifest',
    '-o, --output format     json or yaml instead of a table',
    ...REGISTRY_HELP,
  ],
  options: {
    ...REGISTRY_OPTIONS,
    'filter-semver': { type: 'string' },
    'filter-regex': { type: 'string' },
    'no-details': { type: 'boolean' },
    output: { type: 'string', short: 'o' },
  },
  async run(parsed, context) {
    const [text, ...extra] = parsed.positionals;
    if (extra.length > 0) throw usageError('list artifacts takes one repository');
    const reference = parseArtifactReference(text, 'repository');
    if (reference.tag !== undefined || reference.digest !== undefined) {
      throw usageError('list artifacts takes a repository, without a tag or digest');
    }
    const filters = toTagFilters(stringFlag(parsed.flags, 'filter-semver'), stringFlag(parsed.flags, 'filter-regex'));
    const details = !booleanFlag(parsed.flags, 'no-details');
    const format = parseOutputFormat(stringFlag(parsed.flags, 'output'));
    const client = await createRegistryClient(parsed.flags, [reference], context);
    let artifacts: ListedArtifact[];
    try {
      const tags = selectTags(await client.listTags(reference, { signal: context.signal }), filters);
      const toUrl = (tag: string): string => `oci://${formatReference({ ...reference, tag })}`;
      artifacts = details
        ? await mapLimited(tags, DETAIL_CONCURRENCY, (tag) => withDetails(client, reference, tag, toUrl(tag), context))
        : tags.map((tag) => ({ tag, url: toUrl(tag) }));
    } finally {
      await client.close();
    }
    for (const artifact of artifacts) {
      if (artifact.error !== undefined) context.stderr.write(`bobctl list artifacts: ${artifact.tag}: ${toPrintable(artifact.error)}\n`);
    }
    await writeStructured(context.stdout, format, artifacts, () => {
      if (artifacts.length === 0) context.stderr.write('no artifacts found\n');
      else if (details) context.stdout.write(formatDetailsTable(artifacts, context.stdout.isTTY === true ? context.stdout.columns : undefined));
      else context.stdout.write(formatTable(['ARTIFACT'], artifacts.map((a) => [a.url])));
    });
    return EXIT_OK;
  },
};
