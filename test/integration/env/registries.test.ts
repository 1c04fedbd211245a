// The registries are real: oras pushes to each flavour (plain HTTP, TLS with
// the test CA, htpasswd, bearer tokens) and reads the same bytes back; zot and
// olareg answer the referrers API, distribution 2.8 does not have it.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registry, scratchDir } from '../../env/environment.ts';
import { probe } from '../../env/http-probe.ts';
import { isolatedEnv, orasFlags } from '../../env/peers.ts';
import type { Registry, RegistryOptions } from '../../env/registries.ts';
import { run } from '../../env/run.ts';
import { toolPath } from '../../env/tools.ts';

const FLAVOURS: RegistryOptions[] = [
  { kind: 'distribution' },
  { kind: 'distribution', tls: true },
  { kind: 'distribution', auth: 'basic' },
  { kind: 'distribution', tls: true, auth: 'bearer' },
  { kind: 'zot' },
  { kind: 'zot', tls: true, auth: 'basic' },
  { kind: 'olareg' },
  { kind: 'olareg', tls: true },
];

async function oras(home: string, ...args: string[]): Promise<string> {
  return (await run(toolPath('oras'), args, { env: isolatedEnv(home), cwd: home })).stdout;
}

function label(options: RegistryOptions): string {
  return `${options.kind} ${options.tls === true ? 'TLS' : 'HTTP'} ${options.auth ?? 'anonymous'}`;
}

describe('test env: registries', function () {
  this.timeout(120_000);

  for (const options of FLAVOURS) {
    it(`${label(options)}: oras push, then pull and manifest fetch give the same bytes`, async () => {
      const reg = await registry(options);
      const home = scratchDir('oras');
      writeFileSync(join(home, 'hello.txt'), `hello from ${label(options)}\n`);
      const ref = `${reg.host}/smoke/hello:v1`;
      await oras(home, 'push', ...orasFlags(reg), ref, 'hello.txt:text/plain', '--artifact-type', 'application/vnd.bob.test');
      const manifest = await oras(home, 'manifest', 'fetch', ...orasFlags(reg), ref);
      assert.equal((JSON.parse(manifest) as { artifactType?: string }).artifactType, 'application/vnd.bob.test');
      const out = scratchDir('oras-pull');
      await oras(out, 'pull', ...orasFlags(reg), ref, '-o', out);
      assert.equal(readFileSync(join(out, 'hello.txt'), 'utf8'), `hello from ${label(options)}\n`);
      if (reg.auth !== 'none') await assertAnonymousRefused(reg, 'smoke/hello');
    });
  }

  for (const kind of ['zot', 'olareg'] as const) {
    it(`${kind} answers /v2/<name>/referrers/<digest>`, async () => {
      const reg = await registry({ kind });
      const home = scratchDir('oras-referrers');
      writeFileSync(join(home, 'app.txt'), 'app\n');
      writeFileSync(join(home, 'sbom.json'), '{}\n');
      const ref = `${reg.host}/smoke/app:v1`;
      await oras(home, 'push', '--plain-http', ref, 'app.txt:text/plain');
      const digest = (await oras(home, 'resolve', '--plain-http', ref)).trim();
      await oras(home, 'attach', '--plain-http', ref, '--artifact-type', 'application/vnd.bob.sbom', 'sbom.json:application/json');
      const res = await probe(`${reg.url}/v2/smoke/app/referrers/${digest}`);
      assert.equal(res.status, 200, res.body);
      const index = JSON.parse(res.body) as { mediaType: string; manifests: { digest: string }[] };
      assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
      assert.equal(index.manifests.length, 1);
    });
  }

  it('distribution 2.8 has no referrers API', async () => {
    const reg = await registry({ kind: 'distribution' });
    const res = await probe(`${reg.url}/v2/smoke/hello/referrers/sha256:${'0'.repeat(64)}`);
    assert.equal(res.status, 404);
  });
});

async function assertAnonymousRefused(reg: Registry, repository: string): Promise<void> {
  const ca = reg.caFile === undefined ? {} : { ca: readFileSync(reg.caFile) };
  const res = await probe(`${reg.url}/v2/${repository}/tags/list`, ca);
  assert.equal(res.status, 401);
  assert.ok(String(res.headers['www-authenticate']).startsWith(reg.auth === 'bearer' ? 'Bearer ' : 'Basic '));
}
