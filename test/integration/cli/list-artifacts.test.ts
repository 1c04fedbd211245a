// `bobctl list artifacts` against distribution 2.8 with TLS and basic auth:
// cosign and referrers-fallback tags are hidden, filters and order match the
// documented rules, details come from the manifests' annotations.
import assert from 'node:assert/strict';
import { bobctl, bobctlFlags } from '../../env/bobctl.ts';
import { registry, scratchDir } from '../../env/environment.ts';
import type { Registry } from '../../env/registries.ts';
import { oras, pushBobArtifact } from './helpers.ts';

const REPOSITORY = 'cli/list';
const VERSIONS = ['v1.0.0', '1.2.0', 'v2.0.0-rc.1', 'v1.10.0', 'latest'];

interface Listed {
  readonly tag: string;
  readonly url: string;
  readonly digest?: string;
  readonly source?: string;
  readonly revision?: string;
}

let setup: Promise<{ reg: Registry; digests: Map<string, string> }> | undefined;

async function repository(): Promise<{ reg: Registry; digests: Map<string, string> }> {
  setup ??= (async () => {
    const reg = await registry({ kind: 'distribution', tls: true, auth: 'basic' });
    const home = scratchDir('list');
    const digests = new Map<string, string>();
    for (const tag of VERSIONS) digests.set(tag, (await pushBobArtifact(reg, home, REPOSITORY, tag, `${tag}@sha1:${'b'.repeat(40)}`)).digest);
    const [algorithm, hex] = (digests.get('v1.0.0') ?? '').split(':');
    // What cosign and the referrers tag schema leave in a repository.
    for (const hidden of [`${algorithm}-${hex}.sig`, `${algorithm}-${hex}.att`, `${algorithm}-${hex}`]) {
      await oras(reg, home, 'tag', `${reg.host}/${REPOSITORY}:v1.0.0`, hidden);
    }
    return { reg, digests };
  })();
  return setup;
}

async function list(...args: string[]): Promise<Listed[]> {
  const { reg } = await repository();
  const result = await bobctl(['list', 'artifacts', `oci://${reg.host}/${REPOSITORY}`, ...bobctlFlags(reg), '-o', 'json', ...args]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as Listed[];
}

describe('bobctl list artifacts', function () {
  this.timeout(120_000);

  it('lists the artifacts newest tag first, with digest, source and revision, hiding cosign and fallback tags', async () => {
    const { reg, digests } = await repository();
    const listed = await list();
    assert.deepEqual(listed.map((a) => a.tag), ['v2.0.0-rc.1', 'v1.10.0', 'v1.0.0', 'latest', '1.2.0']);
    const first = listed[0];
    assert.deepEqual(first, {
      tag: 'v2.0.0-rc.1', url: `oci://${reg.host}/${REPOSITORY}:v2.0.0-rc.1`, digest: digests.get('v2.0.0-rc.1'),
      source: 'https://github.com/k8sstormcenter/bob', revision: `v2.0.0-rc.1@sha1:${'b'.repeat(40)}`,
    });
  });

  it('filters by semver range (newest version first) and by regex', async () => {
    assert.deepEqual((await list('--filter-semver', '>=1.0.0')).map((a) => a.tag), ['v1.10.0', '1.2.0', 'v1.0.0']);
    assert.deepEqual((await list('--filter-semver', '>=2.0.0-0')).map((a) => a.tag), ['v2.0.0-rc.1']);
    assert.deepEqual((await list('--filter-regex', '^v1\\.')).map((a) => a.tag), ['v1.10.0', 'v1.0.0']);
    assert.deepEqual((await list('--filter-regex', '^v', '--filter-semver', '<1.5')).map((a) => a.tag), ['v1.0.0']);
  });

  it('prints a table, and only tags with --no-details', async () => {
    const { reg, digests } = await repository();
    const table = await bobctl(['list', 'artifacts', `oci://${reg.host}/${REPOSITORY}`, ...bobctlFlags(reg), '--filter-semver', '1.2.x']);
    assert.equal(table.code, 0, table.stderr);
    const [header, row, ...rest] = table.stdout.trimEnd().split('\n');
    assert.match(header ?? '', /^ARTIFACT +DIGEST +SOURCE +REVISION$/);
    assert.deepEqual(row?.split(/ {3,}/), [`oci://${reg.host}/${REPOSITORY}:1.2.0`, digests.get('1.2.0'), 'https://github.com/k8sstormcenter/bob', `1.2.0@sha1:${'b'.repeat(40)}`]);
    assert.deepEqual(rest, []);
    const bare = await bobctl(['list', 'artifacts', `oci://${reg.host}/${REPOSITORY}`, ...bobctlFlags(reg), '--no-details', '--filter-regex', '^latest$']);
    assert.equal(bare.stdout, `ARTIFACT\noci://${reg.host}/${REPOSITORY}:latest\n`);
  });

  it('exits 4 for a repository that does not exist', async () => {
    const { reg } = await repository();
    const result = await bobctl(['list', 'artifacts', `oci://${reg.host}/cli/absent`, ...bobctlFlags(reg)]);
    assert.equal(result.code, 4, result.stderr);
  });
});
