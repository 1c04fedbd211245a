// bobctl push / pull / build / diff against real registries, checked by the
// real peers: what bob pushes, oras reads byte for byte and flux extracts;
// what flux pushes, bob extracts; a warm re-pull costs one HEAD.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bobctl, bobctlFlags } from '../../env/bobctl.ts';
import { startCountingProxy } from '../../env/counting-proxy.ts';
import { registry, scratchDir } from '../../env/environment.ts';
import { isolatedEnv, orasFlags } from '../../env/peers.ts';
import type { Registry, RegistryOptions } from '../../env/registries.ts';
import { run } from '../../env/run.ts';
import { toolPath } from '../../env/tools.ts';

function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function writeTree(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

function readTree(root: string, prefix = ''): Record<string, string> {
  const tree: Record<string, string> = {};
  for (const entry of readdirSync(join(root, prefix), { withFileTypes: true })) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) Object.assign(tree, readTree(root, path));
    else tree[path] = readFileSync(join(root, path), 'utf8');
  }
  return tree;
}

const FILES = {
  'deploy/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: honey}\n',
  'deploy/nested/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\n',
  'README.md': '# honey\n',
};

function env(home: string): Record<string, string | undefined> {
  return { HOME: home, PATH: process.env['PATH'], BOBCTL_CACHE: join(home, 'cache') };
}

async function oras(home: string, ...args: string[]): Promise<string> {
  return (await run(toolPath('oras'), args, { env: isolatedEnv(home), cwd: home })).stdout;
}

function pushedDigest(stdout: string): string {
  return (JSON.parse(stdout) as { digest: string }).digest;
}

const REGISTRIES: RegistryOptions[] = [
  { kind: 'distribution' },
  { kind: 'distribution', tls: true, auth: 'basic' },
  { kind: 'distribution', tls: true, auth: 'bearer' },
  { kind: 'zot' },
  { kind: 'olareg' },
];

describe('bobctl push/pull artifact', function () {
  this.timeout(120_000);

  for (const options of REGISTRIES) {
    const label = `${options.kind}${options.tls === true ? ' TLS' : ''}${options.auth === undefined ? '' : ` ${options.auth}`}`;
    it(`${label}: bob push → oras pull, manifest fetch and blob fetch give the same bytes; bob pull extracts them`, async () => {
      const reg = await registry(options);
      const home = scratchDir('bob-push');
      writeTree(join(home, 'src'), FILES);
      const ref = `oci://${reg.host}/cli/honey:v1`;
      const pushed = await bobctl(['push', 'artifact', ref, '--path', 'src', '--source', 'https://example.test/honey.git',
        '--revision', 'main@sha1:0123456789abcdef0123456789abcdef01234567', '-a', 'team=bees', '-o', 'json', ...bobctlFlags(reg)], { env: env(home), cwd: home });
      assert.equal(pushed.code, 0, pushed.stderr);
      const digest = pushedDigest(pushed.stdout);
      const manifestBytes = await oras(home, 'manifest', 'fetch', ...orasFlags(reg), `${reg.host}/cli/honey:v1`);
      assert.equal(sha256(manifestBytes), digest);
      const manifest = JSON.parse(manifestBytes) as { config: { mediaType: string }; layers: { mediaType: string; digest: string }[]; annotations: Record<string, string> };
      assert.equal(manifest.config.mediaType, 'application/vnd.k8sstormcenter.bob.config.v1+json');
      assert.equal(manifest.layers[0]?.mediaType, 'application/vnd.k8sstormcenter.bob.content.v1.tar+gzip');
      assert.equal(manifest.annotations['org.opencontainers.image.source'], 'https://example.test/honey.git');
      assert.equal(manifest.annotations['team'], 'bees');
      const layerDigest = manifest.layers.at(0)?.digest ?? '';
      await oras(home, 'blob', 'fetch', ...orasFlags(reg), '--output', join(home, 'layer.tgz'), `${reg.host}/cli/honey@${layerDigest}`);
      const built = await bobctl(['build', 'artifact', '--path', 'src', '--output', 'local.tgz'], { env: env(home), cwd: home });
      assert.equal(built.code, 0, built.stderr);
      assert.deepEqual(readFileSync(join(home, 'layer.tgz')), readFileSync(join(home, 'local.tgz')));
      // oras pull saves the titled content layer as a file: the same bytes again.
      await oras(home, 'pull', ...orasFlags(reg), `${reg.host}/cli/honey:v1`, '-o', join(home, 'oras-out'));
      assert.deepEqual(readFileSync(join(home, 'oras-out', 'content.tar.gz')), readFileSync(join(home, 'local.tgz')));

      const pulled = await bobctl(['pull', 'artifact', ref, '--output', 'out', ...bobctlFlags(reg)], { env: env(home), cwd: home });
      assert.equal(pulled.code, 0, pulled.stderr);
      assert.match(pulled.stdout, /revision +main@sha1:0123/);
      assert.deepEqual(readTree(join(home, 'out')), FILES);
    });
  }

  it('--format flux → flux pull artifact extracts it', async () => {
    const reg = await registry({ kind: 'distribution' });
    const home = scratchDir('bob-flux');
    writeTree(join(home, 'src'), FILES);
    const pushed = await bobctl(['push', 'artifact', `oci://${reg.host}/cli/flux-format:v1`, '--path', 'src', '--format', 'flux',
      '--source', 'https://example.test/honey.git', '--revision', 'main@sha1:0123456789abcdef0123456789abcdef01234567', '--plain-http'], { env: env(home), cwd: home });
    assert.equal(pushed.code, 0, pushed.stderr);
    mkdirSync(join(home, 'out'));
    await run(toolPath('flux'), ['pull', 'artifact', `oci://${reg.host}/cli/flux-format:v1`, `--output=${join(home, 'out')}`, '--insecure-registry'], { env: isolatedEnv(home) });
    assert.deepEqual(readTree(join(home, 'out')), FILES);
  });

  it('flux push artifact → bobctl pull extracts it', async () => {
    const reg = await registry({ kind: 'distribution' });
    const home = scratchDir('flux-bob');
    writeTree(join(home, 'src'), FILES);
    await run(toolPath('flux'), ['push', 'artifact', `oci://${reg.host}/cli/from-flux:v1`, `--path=${join(home, 'src')}`,
      '--source=https://example.test/honey.git', '--revision=main@sha1:0123456789abcdef0123456789abcdef01234567', '--insecure-registry'], { env: isolatedEnv(home) });
    const pulled = await bobctl(['pull', 'artifact', `oci://${reg.host}/cli/from-flux:v1`, '--output', 'out', '--plain-http'], { env: env(home), cwd: home });
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.match(pulled.stdout, /source +https:\/\/example\.test\/honey\.git/);
    assert.deepEqual(readTree(join(home, 'out')), FILES);
  });

  it('a multi-platform index pushed by bob: oras manifest fetch --platform and bob pull --platform pick the right one', async () => {
    const reg = await registry({ kind: 'olareg' });
    const home = scratchDir('bob-platforms');
    writeTree(join(home, 'amd'), { 'arch.txt': 'amd64\n' });
    writeTree(join(home, 'arm'), { 'arch.txt': 'arm64\n' });
    const ref = `${reg.host}/cli/multi:v1`;
    const pushed = await bobctl(['push', 'artifact', `oci://${ref}`, '--platform', 'linux/amd64=amd', '--platform', 'linux/arm64=arm', '--plain-http', '-o', 'json'], { env: env(home), cwd: home });
    assert.equal(pushed.code, 0, pushed.stderr);
    const index = JSON.parse(await oras(home, 'manifest', 'fetch', '--plain-http', ref)) as { mediaType: string; manifests: { digest: string; platform: { architecture: string } }[] };
    assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
    const arm = index.manifests.find((m) => m.platform.architecture === 'arm64');
    const armManifest = await oras(home, 'manifest', 'fetch', '--plain-http', '--platform', 'linux/arm64', ref);
    assert.equal(sha256(armManifest), arm?.digest);
    const pulled = await bobctl(['pull', 'artifact', `oci://${ref}`, '--platform', 'linux/arm64', '--output', 'out', '--plain-http'], { env: env(home), cwd: home });
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.equal(readFileSync(join(home, 'out', 'arch.txt'), 'utf8'), 'arm64\n');
    const missing = await bobctl(['pull', 'artifact', `oci://${ref}`, '--platform', 'windows/amd64', '--output', 'out2', '--plain-http'], { env: env(home), cwd: home });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no manifest for windows\/amd64 \(it has: linux\/amd64, linux\/arm64\)/);
  });

  it('a warm re-pull of an unchanged artifact costs one HEAD request', async () => {
    const reg = await registry({ kind: 'distribution' });
    const proxy = await startCountingProxy(reg.host);
    try {
      const home = scratchDir('bob-warm');
      writeTree(join(home, 'src'), FILES);
      const ref = `oci://${proxy.host}/cli/warm:v1`;
      assert.equal((await bobctl(['push', 'artifact', ref, '--path', 'src', '--plain-http'], { env: env(home), cwd: home })).code, 0);
      const first = await bobctl(['pull', 'artifact', ref, '--output', 'out', '--plain-http'], { env: env(home), cwd: home });
      assert.equal(first.code, 0, first.stderr);
      proxy.requests.length = 0;
      const second = await bobctl(['pull', 'artifact', ref, '--output', 'out', '--force', '--plain-http'], { env: env(home), cwd: home });
      assert.equal(second.code, 0, second.stderr);
      assert.deepEqual(proxy.requests.map((r) => r.method), ['HEAD'], JSON.stringify(proxy.requests));
      assert.deepEqual(readTree(join(home, 'out')), FILES);
    } finally {
      await proxy.stop();
    }
  });

  it('saves a layer that is not a tarball as a file named by its title (oras push of a plain file)', async () => {
    const reg = await registry({ kind: 'olareg' });
    const home = scratchDir('bob-plain-layer');
    writeFileSync(join(home, 'notes.txt'), 'plain text layer\n');
    await oras(home, 'push', '--plain-http', `${reg.host}/cli/plain:v1`, 'notes.txt:text/plain');
    const pulled = await bobctl(['pull', 'artifact', `oci://${reg.host}/cli/plain:v1`, '--output', 'fresh/out', '--plain-http'], { env: env(home), cwd: home });
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.equal(readFileSync(join(home, 'fresh', 'out', 'notes.txt'), 'utf8'), 'plain text layer\n');
  });

  it('refuses to replace a non-empty --output without --force and leaves it untouched', async () => {
    const reg = await registry({ kind: 'distribution' });
    const home = scratchDir('bob-nonempty');
    writeTree(join(home, 'src'), FILES);
    writeTree(join(home, 'out'), { 'mine.txt': 'keep me\n' });
    const ref = `oci://${reg.host}/cli/nonempty:v1`;
    assert.equal((await bobctl(['push', 'artifact', ref, '--path', 'src', '--plain-http'], { env: env(home), cwd: home })).code, 0);
    const refused = await bobctl(['pull', 'artifact', ref, '--output', 'out', '--plain-http'], { env: env(home), cwd: home });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /not empty; pass --force/);
    assert.deepEqual(readTree(join(home, 'out')), { 'mine.txt': 'keep me\n' });
  });

  it('diff artifact: identical content exits 0, changed content exits 5 and names the files', async () => {
    const reg = await registry({ kind: 'distribution' });
    const home = scratchDir('bob-diff');
    writeTree(join(home, 'src'), FILES);
    const ref = `oci://${reg.host}/cli/diff:v1`;
    assert.equal((await bobctl(['push', 'artifact', ref, '--path', 'src', '--plain-http'], { env: env(home), cwd: home })).code, 0);
    const same = await bobctl(['diff', 'artifact', ref, '--path', 'src', '--plain-http'], { env: env(home), cwd: home });
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stdout, /no changes detected/);
    writeFileSync(join(home, 'src', 'README.md'), '# changed\n');
    writeFileSync(join(home, 'src', 'new.txt'), 'new\n');
    const changed = await bobctl(['diff', 'artifact', ref, '--path', 'src', '--plain-http', '-o', 'json'], { env: env(home), cwd: home });
    assert.equal(changed.code, 5, changed.stderr);
    const diff = JSON.parse(changed.stdout) as { added: string[]; changed: string[]; removed: string[] };
    assert.deepEqual(diff, { ...diff, added: ['new.txt'], changed: ['README.md'], removed: [] });
  });

  it('fails with exit 3 and no credential in the message when the password is wrong', async () => {
    const reg: Registry = await registry({ kind: 'distribution', tls: true, auth: 'basic' });
    const home = scratchDir('bob-auth');
    writeTree(join(home, 'src'), FILES);
    const result = await bobctl(['push', 'artifact', `oci://${reg.host}/cli/auth:v1`, '--path', 'src', '--ca-file', reg.caFile ?? '',
      '--creds', `${reg.username ?? ''}:wrong-secret-value`], { env: env(home), cwd: home });
    assert.equal(result.code, 3, result.stderr);
    assert.doesNotMatch(result.stderr + result.stdout, /wrong-secret-value/);
  });
});
