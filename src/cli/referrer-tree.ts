/**
 * The referrers graph `bobctl discover` prints: each node is a manifest
 * that refers to its parent (image-spec manifest.md `subject`). Rendered as
 * a tree like `oras discover`: `artifactType  digest  [annotations]`, one
 * line per node, cut to the terminal's width. Pure, so the layout is
 * unit-tested.
 */
import { toPrintable } from './printable.ts';

export interface ReferrerNode {
  readonly artifactType?: string;
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly referrers: readonly ReferrerNode[];
}

export interface ReferrerTree {
  /** `oci://registry/repository[:tag]@digest` of the subject. */
  readonly subject: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly referrers: readonly ReferrerNode[];
}

/** Common annotation prefixes, dropped in the summary to leave room for values. */
const SHORTENED_PREFIXES = ['org.opencontainers.image.', 'dev.sigstore.cosign/', 'io.cncf.notary.'];

function shortKey(key: string): string {
  const prefix = SHORTENED_PREFIXES.find((p) => key.startsWith(p) && key.length > p.length);
  return prefix === undefined ? key : key.slice(prefix.length);
}

/** `[key=value, ...]` of a node's annotations, sorted by key; empty when there are none. */
export function summarizeAnnotations(annotations: Readonly<Record<string, string>> | undefined): string {
  const entries = Object.entries(annotations ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return '';
  return `[${entries.map(([key, value]) => `${shortKey(key)}=${value}`).join(', ')}]`;
}

function fit(line: string, width: number | undefined): string {
  return width === undefined || line.length <= width ? line : `${line.slice(0, Math.max(1, width - 1))}…`;
}

/**
 * The tree as text, ending in a newline. `width` (the terminal's columns)
 * cuts long lines; undefined leaves them whole, for pipes.
 */
export function renderReferrerTree(tree: ReferrerTree, width?: number): string {
  const lines = [fit(tree.subject, width)];
  const walk = (nodes: readonly ReferrerNode[], indent: string): void => {
    nodes.forEach((node, i) => {
      const last = i === nodes.length - 1;
      const type = toPrintable(node.artifactType ?? `<no artifact type: ${node.mediaType}>`, 200);
      const summary = toPrintable(summarizeAnnotations(node.annotations));
      const line = `${indent}${last ? '└── ' : '├── '}${type}  ${node.digest}${summary === '' ? '' : `  ${summary}`}`;
      lines.push(fit(line, width));
      walk(node.referrers, `${indent}${last ? '    ' : '│   '}`);
    });
  };
  walk(tree.referrers, '');
  if (tree.referrers.length === 0) lines.push('(no referrers)');
  return lines.join('\n') + '\n';
}
