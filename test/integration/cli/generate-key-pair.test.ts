// `bobctl generate-key-pair` writes cosign.key (0600) and cosign.pub that the
// real cosign signs and verifies with, takes the password from
// COSIGN_PASSWORD or stdin like cosign, and never overwrites keys unasked.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../../src/cli/run.ts';
import { decryptPrivateKey, toPublicKeyPem } from '../../../src/verify/index.ts';
import { bobctl } from '../../env/bobctl.ts';
import { registry, scratchDir } from '../../env/environment.ts';
import { pushTestImage } from '../../env/fixtures.ts';
import { isolatedEnv } from '../../env/peers.ts';
import { run } from '../../env/run.ts';
import { toolPath } from '../../env/tools.ts';

const PASSWORD = 'generate-key-pair-passphrase';

describe('bobctl generate-key-pair', function () {
  this.timeout(120_000);

  it('writes a key pair that cosign signs and verifies with', async () => {
    const reg = await registry({ kind: 'distribution' });
    const home = scratchDir('genkey');
    const env = isolatedEnv(home, { COSIGN_PASSWORD: PASSWORD, SIGSTORE_NO_CACHE: '1', TUF_ROOT: join(home, 'tuf') });
    const result = await bobctl(['generate-key-pair'], { env, cwd: home });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'Private key written to cosign.key\nPublic key written to cosign.pub\n');
    assert.equal(statSync(join(home, 'cosign.key')).mode & 0o777, 0o600);
    assert.match(readFileSync(join(home, 'cosign.key'), 'utf8'), /^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/);
    assert.match(readFileSync(join(home, 'cosign.pub'), 'utf8'), /^-----BEGIN PUBLIC KEY-----\n/);
    const image = await pushTestImage(reg, home, 'cli/genkey', 'v1');
    const signed = await run(toolPath('cosign2'), ['sign', '--key', 'cosign.key', '--tlog-upload=false', '--allow-http-registry', '--yes', image.pinned], { env, cwd: home, allowFailure: true });
    assert.equal(signed.code, 0, signed.stderr);
    const verified = await run(toolPath('cosign2'), ['verify', '--key', 'cosign.pub', '--insecure-ignore-tlog=true', '--allow-http-registry', image.ref], { env, cwd: home, allowFailure: true });
    assert.equal(verified.code, 0, verified.stderr);
  });

  it('refuses to overwrite without --force, and replaces both files with it', async () => {
    const home = scratchDir('genkey-force');
    const env = { HOME: home, COSIGN_PASSWORD: PASSWORD };
    assert.equal((await bobctl(['generate-key-pair'], { env, cwd: home })).code, 0);
    const key = readFileSync(join(home, 'cosign.key'), 'utf8');
    const refused = await bobctl(['generate-key-pair'], { env, cwd: home });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /cosign\.key exists; use --force to overwrite it/);
    assert.equal(readFileSync(join(home, 'cosign.key'), 'utf8'), key);
    const forced = await bobctl(['generate-key-pair', '--force'], { env, cwd: home });
    assert.equal(forced.code, 0, forced.stderr);
    const replaced = readFileSync(join(home, 'cosign.key'), 'utf8');
    assert.notEqual(replaced, key);
    assert.equal(toPublicKeyPem(await decryptPrivateKey(replaced, PASSWORD)), readFileSync(join(home, 'cosign.pub'), 'utf8'));
  });

  it('reads the password from stdin when COSIGN_PASSWORD is unset, and honours --output-key-prefix', async () => {
    const home = scratchDir('genkey-stdin');
    mkdirSync(join(home, 'keys'));
    const result = await bobctl(['generate-key-pair', '--output-key-prefix', 'keys/release'], { env: { HOME: home }, cwd: home, stdin: 'from stdin' });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'Private key written to keys/release.key\nPublic key written to keys/release.pub\n');
    const key = await decryptPrivateKey(readFileSync(join(home, 'keys', 'release.key'), 'utf8'), 'from stdin');
    assert.equal(toPublicKeyPem(key), readFileSync(join(home, 'keys', 'release.pub'), 'utf8'));
    assert.equal((await bobctl(['generate-key-pair', 'extra'], { env: { HOME: home }, cwd: home })).code, 2);
  });

  it('asks twice on a terminal without echo, and refuses answers that differ', async () => {
    const home = scratchDir('genkey-tty');
    const typeInto = async (typed: string, prefix: string): Promise<{ code: number; stderr: string; rawModes: boolean[] }> => {
      const stdin = Object.assign(new PassThrough(), { isTTY: true, rawModes: [] as boolean[], setRawMode(mode: boolean) { stdin.rawModes.push(mode); } });
      let stderr = '';
      const ignore = { write: () => true };
      stdin.end(typed);
      const code = await runCli(['generate-key-pair', '--output-key-prefix', prefix], {
        stdout: ignore, stderr: { write: (chunk: string) => { stderr += chunk; return true; } },
        stdin, env: { HOME: home }, cwd: home, signal: AbortSignal.timeout(30_000),
      });
      return { code, stderr, rawModes: stdin.rawModes };
    };
    // Backspace (DEL) edits the answer; both answers arrive in one chunk, as when pasted.
    const typed = await typeInto('tty-secretX\u007f\rtty-secret\r\n', 'tty');
    assert.equal(typed.code, 0, typed.stderr);
    assert.equal(typed.stderr, 'Enter password for private key: \nEnter password for private key again: \n');
    assert.deepEqual(typed.rawModes, [true, false, true, false]);
    const key = await decryptPrivateKey(readFileSync(join(home, 'tty.key'), 'utf8'), 'tty-secret');
    assert.equal(toPublicKeyPem(key), readFileSync(join(home, 'tty.pub'), 'utf8'));
    const mismatch = await typeInto('one\rtwo\r', 'mismatch');
    assert.equal(mismatch.code, 2);
    assert.match(mismatch.stderr, /passwords do not match/);
    assert.doesNotMatch(mismatch.stderr, /one|two/);
  });
});
