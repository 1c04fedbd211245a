// `bobctl sign artifact` signs the digest a reference resolves to with a key
// made by the real cosign, in both layouts, and cosign verifies the result;
// wrong passwords, missing keys and missing artifacts fail with the
// documented exit codes and push nothing.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { bobctl, bobctlFlags } from '../../env/bobctl.ts';
import { registry, scratchDir } from '../../env/environment.ts';
import { pushTestImage } from '../../env/fixtures.ts';
import { isolatedEnv } from '../../env/peers.ts';
import type { Registry } from '../../env/registries.ts';
import { run, type RunResult } from '../../env/run.ts';
import { toolPath } from '../../env/tools.ts';
import { oras } from './helpers.ts';

const PASSWORD = 'sign-artifact-passphrase';

interface Setup {
  readonly reg: Registry;
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
}

async function setup(name: string): Promise<Setup> {
  const reg = await registry({ kind: 'distribution' });
  const home = scratchDir(name);
  const env = isolatedEnv(home, { COSIGN_PASSWORD: PASSWORD, SIGSTORE_NO_CACHE: '1', TUF_ROOT: join(home, 'tuf') });
  const made = await run(toolPath('cosign2'), ['generate-key-pair'], { env, cwd: home });
  assert.equal(made.code, 0);
  return { reg, home, env };
}

async function cosignVerify(s: Setup, tool: 'cosign2' | 'cosign3', ref: string): Promise<RunResult> {
  return run(toolPath(tool), ['verify', '--key', 'cosign.pub', '--insecure-ignore-tlog=true', '--allow-http-registry', ref], { env: s.env, cwd: s.home, allowFailure: true });
}

describe('bobctl sign artifact', function () {
  this.timeout(120_000);

  it('signs the resolved digest in the legacy layout with a cosign-made key; a repeat adds nothing', async () => {
    const s = await setup('sign-legacy');
    const image = await pushTestImage(s.reg, s.home, 'cli/sign-legacy', 'v1');
    const args = ['sign', 'artifact', `oci://${image.ref}`, '--key', 'cosign.key', '--format', 'legacy', ...bobctlFlags(s.reg)];
    const result = await bobctl(args, { env: s.env, cwd: s.home });
    assert.equal(result.code, 0, result.stderr);
    const sigTag = `${image.digest.replace(':', '-')}.sig`;
    assert.equal(result.stdout, `Signed ${s.reg.host}/cli/sign-legacy@${image.digest} (cosign legacy) → ${s.reg.host}/cli/sign-legacy:${sigTag}\n`);
    for (const tool of ['cosign2', 'cosign3'] as const) {
      const verified = await cosignVerify(s, tool, image.ref);
      assert.equal(verified.code, 0, `${tool}: ${verified.stderr}`);
    }
    const repeat = await bobctl(args, { env: s.env, cwd: s.home });
    assert.equal(repeat.code, 0, repeat.stderr);
    assert.match(repeat.stdout, /\(already signed with this key\)\n$/);
    const manifest = JSON.parse(await oras(s.reg, s.home, 'manifest', 'fetch', `${s.reg.host}/cli/sign-legacy:${sigTag}`)) as { layers: unknown[] };
    assert.equal(manifest.layers.length, 1);
  });

  it('signs as a cosign 3 bundle by default, prints JSON on request, and cosign 3 verifies it', async () => {
    const s = await setup('sign-bundle');
    const image = await pushTestImage(s.reg, s.home, 'cli/sign-bundle', 'v1');
    const result = await bobctl(['sign', 'artifact', image.ref, '--key', 'cosign.key', '-o', 'json', ...bobctlFlags(s.reg)], { env: s.env, cwd: s.home });
    assert.equal(result.code, 0, result.stderr);
    const output = JSON.parse(result.stdout) as Record<string, string>;
    assert.deepEqual(Object.keys(output), ['subject', 'signer', 'format', 'location', 'signature', 'outcome']);
    assert.equal(output['subject'], `${s.reg.host}/cli/sign-bundle@${image.digest}`);
    assert.equal(output['signer'], 'cosign');
    assert.equal(output['format'], 'bundle');
    assert.equal(output['location'], `${s.reg.host}/cli/sign-bundle@${output['signature']}`);
    assert.equal(output['outcome'], 'pushed');
    const verified = await cosignVerify(s, 'cosign3', image.ref);
    assert.equal(verified.code, 0, verified.stderr);
    const unsigned = await pushTestImage(s.reg, s.home, 'cli/sign-bundle', 'unsigned', 'not signed\n');
    assert.notEqual((await cosignVerify(s, 'cosign3', unsigned.ref)).code, 0);
  });

  it('fails with a wrong password (exit 1, password not shown) and pushes nothing', async () => {
    const s = await setup('sign-wrong');
    const image = await pushTestImage(s.reg, s.home, 'cli/sign-wrong', 'v1');
    const result = await bobctl(['sign', 'artifact', image.ref, '--key', 'cosign.key', '--format', 'legacy', ...bobctlFlags(s.reg)],
      { env: { ...s.env, COSIGN_PASSWORD: 'wrong-secret-value' }, cwd: s.home });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^bobctl sign artifact: incorrect password for the cosign private key/);
    assert.doesNotMatch(result.stderr + result.stdout, /wrong-secret-value/);
    const unsigned = await cosignVerify(s, 'cosign2', image.ref);
    assert.notEqual(unsigned.code, 0);
    assert.match(unsigned.stderr, /no signatures found/);
  });

  it('exits 2 for a missing or unknown signer flag and 4 for a missing artifact', async () => {
    const s = await setup('sign-usage');
    const ref = `${s.reg.host}/cli/sign-usage:absent`;
    const noKey = await bobctl(['sign', 'artifact', ref, ...bobctlFlags(s.reg)], { env: s.env, cwd: s.home });
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /a signing key is required: --key/);
    const badFormat = await bobctl(['sign', 'artifact', ref, '--key', 'cosign.key', '--format', 'jws', ...bobctlFlags(s.reg)], { env: s.env, cwd: s.home });
    assert.equal(badFormat.code, 2);
    assert.match(badFormat.stderr, /unknown --format "jws": use bundle or legacy/);
    const noFile = await bobctl(['sign', 'artifact', ref, '--key', 'absent.key', ...bobctlFlags(s.reg)], { env: s.env, cwd: s.home });
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /cannot read --key absent\.key/);
    const missing = await bobctl(['sign', 'artifact', ref, '--key', 'cosign.key', ...bobctlFlags(s.reg)], { env: s.env, cwd: s.home });
    assert.equal(missing.code, 4, missing.stderr);
  });
});
