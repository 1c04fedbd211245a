import assert from 'node:assert/strict';
import {
  formatDetailsTable, isHiddenTag, selectTags, toTagFilters, type ListedArtifact,
} from '../../../src/cli/commands/list-artifacts.ts';
import { bobctl } from './capture.ts';

const HEX64 = 'ab'.repeat(32);

describe('bobctl list artifacts (tags, filters, table)', () => {
  it('hides cosign tags and referrers tag-schema indexes, nothing else', () => {
    for (const tag of [`sha256-${HEX64}.sig`, `sha256-${HEX64}.att`, `sha256-${HEX64}.sbom`, `sha256-${HEX64}`, `sha512-${HEX64}`]) {
      assert.equal(isHiddenTag(tag), true, tag);
    }
    for (const tag of ['v1.0.0', 'latest', `sha256-${HEX64.slice(1)}`, `sha256-${HEX64}-extra`, 'signature', `SHA256-${HEX64}`]) {
      assert.equal(isHiddenTag(tag), false, tag);
    }
  });

  const tags = ['v1.0.0', '1.2.0', 'v1.10.0', 'latest', 'v2.0.0-rc.1', '1.3', 'main-2024', `sha256-${HEX64}.sig`];

  it('sorts in reverse lexical order without a semver filter', () => {
    assert.deepEqual(selectTags(tags, toTagFilters(undefined, undefined)), ['v2.0.0-rc.1', 'v1.10.0', 'v1.0.0', 'main-2024', 'latest', '1.3', '1.2.0']);
  });

  it('matches only valid semver tags (one leading v allowed, no coercion), newest first', () => {
    assert.deepEqual(selectTags(tags, toTagFilters('>=1.0.0', undefined)), ['v1.10.0', '1.2.0', 'v1.0.0']);
    assert.deepEqual(selectTags(tags, toTagFilters('*', undefined)), ['v1.10.0', '1.2.0', 'v1.0.0']);
    assert.deepEqual(selectTags(tags, toTagFilters('>=2.0.0-0', undefined)), ['v2.0.0-rc.1']);
    assert.deepEqual(selectTags(['V1.0.0', 'vv1.0.0', '=1.0.0'], toTagFilters('*', undefined)), []);
  });

  it('applies the regex and the range together', () => {
    assert.deepEqual(selectTags(tags, toTagFilters('<1.5.0', '^v')), ['v1.0.0']);
    assert.deepEqual(selectTags(tags, toTagFilters(undefined, '^main-')), ['main-2024']);
  });

  it('refuses a range or regex that cannot be parsed', () => {
    assert.throws(() => toTagFilters('not a range', undefined), { code: 'CLI_USAGE' });
    assert.throws(() => toTagFilters(undefined, '('), { code: 'CLI_USAGE' });
  });

  it('shortens digests only when the table would not fit the terminal', () => {
    const artifacts: ListedArtifact[] = [
      { tag: 'v1', url: 'oci://r.example/app:v1', digest: `sha256:${HEX64}`, source: 'https://example.com/app', revision: 'main@sha1:abc' },
      { tag: 'bad', url: 'oci://r.example/app:bad', error: 'unsupported manifest media type' },
    ];
    const full = formatDetailsTable(artifacts, undefined);
    assert.match(full, new RegExp(`sha256:${HEX64}`));
    assert.match(full, /oci:\/\/r\.example\/app:bad +- *\n$/);
    const narrow = formatDetailsTable(artifacts, 80);
    assert.match(narrow, new RegExp(`sha256:${HEX64.slice(0, 12)} `));
    assert.doesNotMatch(narrow, new RegExp(HEX64));
    assert.equal(formatDetailsTable(artifacts, 400), full);
  });

  it('shows annotations with control characters made harmless', () => {
    const table = formatDetailsTable([{ tag: 'v1', url: 'oci://r/app:v1', digest: `sha256:${HEX64}`, source: 'evil\x1b[2Jsource' }], undefined);
    assert.ok(!table.includes('\x1b'), JSON.stringify(table));
    assert.match(table, /evil\?\[2Jsource/);
  });

  for (const [name, argv] of [
    ['a tag in the reference', ['oci://127.0.0.1:5000/app:v1']],
    ['a digest in the reference', [`oci://127.0.0.1:5000/app@sha256:${HEX64}`]],
    ['a bad range', ['oci://127.0.0.1:5000/app', '--filter-semver', '>=>=1']],
    ['a bad regex', ['oci://127.0.0.1:5000/app', '--filter-regex', '[']],
  ] as const) {
    it(`exits 2 for ${name}`, async () => {
      const result = await bobctl(['list', 'artifacts', ...argv]);
      assert.equal(result.code, 2, result.stderr);
    });
  }
});
