import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCredentialHelperRunner, dockerConfigCredentials, parseDockerConfig, staticCredentials, toConfigHost,
} from '../../../src/oci/index.ts';
import { describeError, isBobError } from '../../../src/shared/index.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const signal = (): AbortSignal => AbortSignal.timeout(10_000);

describe('oci/credentials', () => {
  describe('toConfigHost', () => {
    const cases: [string, string][] = [
      ['https://index.docker.io/v1/', 'docker.io'], ['index.docker.io', 'docker.io'], ['registry-1.docker.io', 'docker.io'],
      ['docker.io', 'docker.io'], ['https://ghcr.io', 'ghcr.io'], ['http://r.example:5000/v2/', 'r.example:5000'],
      ['R.Example', 'r.example'], ['127.0.0.1:5000', '127.0.0.1:5000'],
    ];
    for (const [key, host] of cases) it(`${key} → ${host}`, () => { assert.equal(toConfigHost(key), host); });
  });

  describe('lookups like docker', () => {
    const config = JSON.stringify({
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hub:hubpass') },
        'https://ghcr.io': { username: 'gh', password: 'ghpass' },
        'http://r.example:5000/v2/': { identitytoken: 'refresh-123' },
        'tok.example': { registrytoken: 'access-456' },
        'colon.example': { auth: b64('user:pa:ss') },
        'empty.example': {},
      },
    });
    const provider = dockerConfigCredentials(config);
    const cases: [string, unknown][] = [
      ['docker.io', { kind: 'basic', username: 'hub', password: 'hubpass' }],
      ['index.docker.io', { kind: 'basic', username: 'hub', password: 'hubpass' }],
      ['ghcr.io', { kind: 'basic', username: 'gh', password: 'ghpass' }],
      ['r.example:5000', { kind: 'refresh-token', token: 'refresh-123' }],
      ['r.example', undefined],
      ['tok.example', { kind: 'access-token', token: 'access-456' }],
      ['colon.example', { kind: 'basic', username: 'user', password: 'pa:ss' }],
      ['empty.example', undefined],
      ['unknown.example', undefined],
    ];
    for (const [registry, expected] of cases) {
      it(registry, async () => { assert.deepEqual(await provider(registry, signal()), expected); });
    }
  });

  describe('parseDockerConfig rejects without quoting secrets', () => {
    const cases: [string, string][] = [
      ['not json', '{'],
      ['array', '[]'],
      ['auths not object', '{"auths":[]}'],
      ['bad base64', JSON.stringify({ auths: { a: { auth: 'sec ret!' } } })],
      ['no colon', JSON.stringify({ auths: { a: { auth: b64('secretvalue') } } })],
      ['username only', JSON.stringify({ auths: { a: { username: 'secretvalue' } } })],
      ['helper with slash', JSON.stringify({ credHelpers: { a: '../secretvalue' } })],
      ['credsStore not string', JSON.stringify({ credsStore: 1 })],
    ];
    for (const [name, text] of cases) {
      it(name, () => {
        assert.throws(() => parseDockerConfig(text), (error: unknown) => {
          assert.ok(isBobError(error, 'CONFIG_INVALID'));
          assert.doesNotMatch(describeError(error), /secret/);
          return true;
        });
      });
    }
  });

  it('ignores helpers without a runner (the controller case)', async () => {
    const provider = dockerConfigCredentials(JSON.stringify({ credsStore: 'desktop', credHelpers: { 'gcr.io': 'gcloud' } }));
    assert.equal(await provider('gcr.io', signal()), undefined);
  });

  it('staticCredentials matches hosts like config keys', async () => {
    const provider = staticCredentials({ 'https://index.docker.io/v1/': { kind: 'basic', username: 'u', password: 'p' } });
    assert.equal((await provider('docker.io', signal()))?.kind, 'basic');
  });

  describe('credential helpers', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'bob-helper-'));
      const script = (name: string, body: string): void => {
        const file = join(dir, `docker-credential-${name}`);
        writeFileSync(file, `#!/bin/sh\n${body}\n`);
        chmodSync(file, 0o755);
      };
      script('good', 'read server; if [ "$server" = "https://index.docker.io/v1/" ]; then echo \'{"ServerURL":"x","Username":"hubuser","Secret":"hubsecret"}\'; else echo "{\\"ServerURL\\":\\"$server\\",\\"Username\\":\\"<token>\\",\\"Secret\\":\\"id-$server\\"}"; fi');
      script('missing', 'echo "credentials not found in native keychain"; exit 1');
      script('broken', 'echo "secret-leak"; exit 3');
      script('garbage', 'echo "not json"');
    });
    after(() => { rmSync(dir, { recursive: true, force: true }); });

    const runner = (): ReturnType<typeof createCredentialHelperRunner> => createCredentialHelperRunner({ env: { PATH: `${dir}:/usr/bin:/bin` } });

    it('runs credHelpers per host and credsStore otherwise, with docker\'s server URL', async () => {
      const provider = dockerConfigCredentials(JSON.stringify({
        credsStore: 'good', credHelpers: { 'gcr.io': 'good' }, auths: { 'file.example': { auth: b64('f:p') } },
      }), { helperRunner: runner() });
      assert.deepEqual(await provider('gcr.io', signal()), { kind: 'refresh-token', token: 'id-gcr.io' });
      assert.deepEqual(await provider('docker.io', signal()), { kind: 'basic', username: 'hubuser', password: 'hubsecret' });
      assert.deepEqual(await provider('file.example', signal()), { kind: 'basic', username: 'f', password: 'p' });
    });

    it('treats "credentials not found" as anonymous', async () => {
      const provider = dockerConfigCredentials(JSON.stringify({ credsStore: 'missing' }), { helperRunner: runner() });
      assert.equal(await provider('x.example', signal()), undefined);
    });

    for (const [name, pattern] of [['broken', /status 3/], ['garbage', /not JSON/], ['absent', /could not run/]] as const) {
      it(`fails with CREDENTIAL_HELPER_FAILED for a ${name} helper, without its output`, async () => {
        const provider = dockerConfigCredentials(JSON.stringify({ credsStore: name }), { helperRunner: runner() });
        await assert.rejects(provider('x.example', signal()), (error: unknown) => {
          assert.ok(isBobError(error, 'CREDENTIAL_HELPER_FAILED'));
          assert.match(error.message, pattern);
          assert.doesNotMatch(error.message, /secret-leak/);
          return true;
        });
      });
    }
  });
});
