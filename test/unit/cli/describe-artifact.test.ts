import assert from 'node:assert/strict';
import { formatDescription, type ArtifactDescription } from '../../../src/cli/describe-format.ts';
import { bobctl } from './capture.ts';

const D = (c: string): string => `sha256:${c.repeat(64)}`;

const ARTIFACT: ArtifactDescription = {
  reference: 'oci://r.example/app:v1',
  digest: D('a'),
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  artifactType: 'application/vnd.bob.artifact+yaml',
  size: 2048,
  annotations: { 'org.opencontainers.image.source': 'https://example.com/app', 'a.key': 'first' },
  subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D('f'), size: 10 },
  config: { mediaType: 'application/vnd.k8sstormcenter.bob.config.v1+json', digest: D('b'), size: 100, created: '2024-05-01T10:00:00Z' },
  layers: [{ mediaType: 'application/vnd.k8sstormcenter.bob.content.v1.tar+gzip', digest: D('c'), size: 5000, title: 'deploy.tgz' }],
  referrers: [{ artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json', mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D('d'), size: 9 }],
};

describe('bobctl describe artifact (readable output)', () => {
  it('renders an artifact like kubectl describe', () => {
    assert.equal(formatDescription(ARTIFACT), [
      'Reference:      oci://r.example/app:v1',
      `Digest:         ${D('a')}`,
      'Media Type:     application/vnd.oci.image.manifest.v1+json',
      'Artifact Type:  application/vnd.bob.artifact+yaml',
      'Size:           2.0 KiB (2048 bytes)',
      `Subject:        ${D('f')} (application/vnd.oci.image.manifest.v1+json)`,
      'Annotations:',
      '  a.key:                            first',
      '  org.opencontainers.image.source:  https://example.com/app',
      'Config:',
      '  Media Type:  application/vnd.k8sstormcenter.bob.config.v1+json',
      `  Digest:      ${D('b')}`,
      '  Size:        100 B',
      '  Created:     2024-05-01T10:00:00Z',
      'Layers:',
      '  - Title:       deploy.tgz',
      '    Media Type:  application/vnd.k8sstormcenter.bob.content.v1.tar+gzip',
      `    Digest:      ${D('c')}`,
      '    Size:        4.9 KiB (5000 bytes)',
      'Referrers:',
      '  ARTIFACT TYPE                                     DIGEST',
      `  application/vnd.dev.cosign.artifact.sig.v1+json   ${D('d')}`,
      '',
    ].join('\n'));
  });

  it('renders an index per platform, with unreadable entries and missing referrers in place', () => {
    const text = formatDescription({
      reference: 'oci://r.example/app:multi', digest: D('1'), mediaType: 'application/vnd.oci.image.index.v1+json', size: 500,
      manifests: [
        { platform: 'linux/amd64', manifest: { digest: D('2'), mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 400, layers: [], config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: D('3'), size: 10, error: 'blob unknown' } } },
        { manifest: { digest: D('4'), mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 7 }, error: 'unsupported manifest' },
      ],
      referrersError: 'registry said 500',
    });
    assert.match(text, /\nAnnotations: +<none>\nPlatforms:\n {2}linux\/amd64:\n {4}Digest: +sha256:2{64}\n/);
    assert.match(text, /\n {4}Layers: +<none>\n/);
    assert.match(text, /\n {6}Error: +blob unknown\n/);
    assert.match(text, /\n {2}\(no platform\):\n {4}Media Type: +application\/vnd\.oci\.image\.manifest\.v1\+json\n {4}Digest: +sha256:4{64}\n {4}Size: +7 B\n {4}Error: +unsupported manifest\n/);
    assert.match(text, /\nReferrers: +<unavailable: registry said 500>\n$/);
  });

  it('never prints control characters from the registry', () => {
    const text = formatDescription({ ...ARTIFACT, annotations: { 'k\x1b]0;x\x07': 'v\x1b[31m\u202e' } });
    for (const unsafe of ['\x1b', '\x07', '\u202e']) assert.ok(!text.includes(unsafe), JSON.stringify(text));
  });

  it('exits 2 for two references or a bad output format', async () => {
    assert.equal((await bobctl(['describe', 'artifact', 'oci://r.example/a:v1', 'oci://r.example/b:v1'])).code, 2);
    assert.equal((await bobctl(['describe', 'artifact', 'oci://r.example/a:v1', '-o', 'tree'])).code, 2);
  });
});
