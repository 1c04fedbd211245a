import assert from 'node:assert/strict';
import { toDepth, toDiscoverFormat } from '../../../src/cli/commands/discover.ts';
import { renderReferrerTree, summarizeAnnotations, type ReferrerTree } from '../../../src/cli/referrer-tree.ts';
import { bobctl } from './capture.ts';

const D = (c: string): string => `sha256:${c.repeat(64)}`;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

const TREE: ReferrerTree = {
  subject: `oci://r.example/app:v1@${D('0')}`,
  digest: D('0'),
  mediaType: MANIFEST,
  referrers: [
    {
      artifactType: 'application/vnd.bob.sbom', mediaType: MANIFEST, digest: D('1'), size: 1,
      annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z', purpose: 'test' },
      referrers: [
        { artifactType: 'application/vnd.bob.sig', mediaType: MANIFEST, digest: D('2'), size: 1, referrers: [] },
        { mediaType: MANIFEST, digest: D('3'), size: 1, referrers: [{ artifactType: 'application/vnd.bob.sig', mediaType: MANIFEST, digest: D('5'), size: 1, referrers: [] }] },
      ],
    },
    { artifactType: 'application/vnd.bob.artifact+yaml', mediaType: MANIFEST, digest: D('4'), size: 1, referrers: [] },
  ],
};

describe('bobctl discover (tree and flags)', () => {
  it('draws the referrers as a tree like oras discover', () => {
    assert.equal(renderReferrerTree(TREE), [
      `oci://r.example/app:v1@${D('0')}`,
      `├── application/vnd.bob.sbom  ${D('1')}  [created=2024-01-01T00:00:00Z, purpose=test]`,
      `│   ├── application/vnd.bob.sig  ${D('2')}`,
      `│   └── <no artifact type: ${MANIFEST}>  ${D('3')}`,
      `│       └── application/vnd.bob.sig  ${D('5')}`,
      `└── application/vnd.bob.artifact+yaml  ${D('4')}`,
      '',
    ].join('\n'));
  });

  it('cuts lines to the terminal width and says when there are no referrers', () => {
    const lines = renderReferrerTree(TREE, 60).trimEnd().split('\n');
    assert.ok(lines.every((line) => line.length <= 60), lines.join('\n'));
    assert.ok(lines[1]?.endsWith('…'));
    assert.equal(renderReferrerTree({ ...TREE, referrers: [] }), `${TREE.subject}\n(no referrers)\n`);
  });

  it('summarizes annotations sorted, with common prefixes dropped and control characters neutralized', () => {
    assert.equal(summarizeAnnotations(undefined), '');
    assert.equal(summarizeAnnotations({ 'org.opencontainers.image.title': 'x', 'dev.sigstore.cosign/bundle': 'b', a: '1' }), '[a=1, bundle=b, title=x]');
    const text = renderReferrerTree({ ...TREE, referrers: [{ mediaType: MANIFEST, artifactType: 'x/\x1by', digest: D('1'), size: 1, annotations: { k: 'v\x1b[2J' }, referrers: [] }] });
    assert.ok(!text.includes('\x1b'), JSON.stringify(text));
  });

  it('accepts depths 1 to 10 and -o tree|json|yaml', () => {
    assert.equal(toDepth(undefined), 3);
    assert.equal(toDepth('1'), 1);
    assert.equal(toDepth('10'), 10);
    for (const bad of ['0', '11', '-1', '2.5', 'x', '']) assert.throws(() => toDepth(bad), { code: 'CLI_USAGE' }, bad);
    assert.equal(toDiscoverFormat(undefined), 'table');
    assert.equal(toDiscoverFormat('tree'), 'table');
    assert.equal(toDiscoverFormat('json'), 'json');
    assert.throws(() => toDiscoverFormat('xml'), { code: 'CLI_USAGE' });
  });

  it('exits 2 for a bad --depth or --artifact-type, before any request', async () => {
    assert.equal((await bobctl(['discover', 'oci://r.example/a:v1', '--depth', '0'])).code, 2);
    assert.equal((await bobctl(['discover', 'oci://r.example/a:v1', '--artifact-type', 'not a type'])).code, 2);
    assert.equal((await bobctl(['discover'])).code, 2);
  });
});
