// The peer CLIs are real and work against the harness registries: cosign 2
// and 3, notation and skopeo (GPG simple signing and sigstore keys) each sign
// a test image and verify it, and refuse an image they did not sign; flux
// pushes and pulls an artifact.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { registry, scratchDir } from '../../env/environment.ts';
import { pushTestImage } from '../../env/fixtures.ts';
import { isolatedEnv } from '../../env/peers.ts';
import type { RegistryKind } from '../../env/registries.ts';
import { run } from '../../env/run.ts';
import { toolPath, type ToolName } from '../../env/tools.ts';

const PASSWORD = 'bob-test-passphrase';

describe('test env: peer CLIs', function () {
  this.timeout(180_000);

  for (const cosign of ['cosign2', 'cosign3'] as const satisfies readonly ToolName[]) {
    for (const kind of ['distribution', 'olareg'] as const satisfies readonly RegistryKind[]) {
      it(`${cosign} signs a test image with a key on ${kind} and verifies it`, async () => {
        const reg = await registry({ kind });
        const home = scratchDir(cosign);
        const env = isolatedEnv(home, { COSIGN_PASSWORD: PASSWORD, SIGSTORE_NO_CACHE: '1', TUF_ROOT: join(home, 'tuf') });
        const signed = await pushTestImage(reg, home, `peers/${cosign}`, 'signed');
        const unsigned = await pushTestImage(reg, home, `peers/${cosign}`, 'unsigned', 'other content\n');
        const exec = async (...args: string[]) => run(toolPath(cosign), args, { env, cwd: home });
        await exec('generate-key-pair');
        const offline = cosign === 'cosign3' ? ['--use-signing-config=false'] : [];
        await exec('sign', '--key', 'cosign.key', '--tlog-upload=false', '--allow-http-registry', '--yes', ...offline, signed.pinned);
        const verify = ['verify', '--key', 'cosign.pub', '--insecure-ignore-tlog=true', '--allow-http-registry'];
        const { stdout } = await exec(...verify, signed.ref);
        const [payload] = JSON.parse(stdout) as { critical: { image: { 'docker-manifest-digest': string } } }[];
        assert.equal(payload?.critical.image['docker-manifest-digest'], signed.digest);
        const refused = await run(toolPath(cosign), [...verify, unsigned.ref], { env, cwd: home, allowFailure: true });
        assert.notEqual(refused.code, 0);
      });
    }
  }

  for (const kind of ['distribution', 'olareg'] as const satisfies readonly RegistryKind[]) {
    it(`notation signs a test image on ${kind} and verifies it under a trust policy`, async () => {
      const reg = await registry({ kind });
      const home = scratchDir('notation');
      const env = isolatedEnv(home);
      const exec = async (...args: string[]) => run(toolPath('notation'), args, { env, cwd: home });
      const signed = await pushTestImage(reg, home, 'peers/notation', 'signed');
      const unsigned = await pushTestImage(reg, home, 'peers/notation', 'unsigned', 'other content\n');
      await exec('cert', 'generate-test', '--default', 'bob.test');
      writeFileSync(join(home, 'trustpolicy.json'), JSON.stringify({
        version: '1.0',
        trustPolicies: [{
          name: 'bob-test', registryScopes: ['*'], signatureVerification: { level: 'strict' },
          trustStores: ['ca:bob.test'], trustedIdentities: ['*'],
        }],
      }));
      await exec('policy', 'import', '--force', 'trustpolicy.json');
      // notation defaults to the referrers tag schema even where the API exists;
      // olareg then lists no referrers through the API, so use the API there.
      const store = reg.referrersApi ? ['--force-referrers-tag=false'] : [];
      await exec('sign', '--insecure-registry', ...store, signed.pinned);
      const { stdout } = await exec('verify', '--insecure-registry', signed.pinned);
      assert.match(stdout, /Successfully verified signature/);
      const refused = await run(toolPath('notation'), ['verify', '--insecure-registry', unsigned.pinned], { env, cwd: home, allowFailure: true });
      assert.notEqual(refused.code, 0);
    });
  }

  it('skopeo signs with GPG (simple signing) and verifies the signature', async () => {
    const reg = await registry({ kind: 'distribution' });
    const home = scratchDir('skopeo-gpg');
    const gnupgHome = join(home, 'gnupg');
    mkdirSync(gnupgHome, { mode: 0o700 });
    const env = isolatedEnv(home, { GNUPGHOME: gnupgHome });
    await run(toolPath('gpg'), ['--batch', '--passphrase', '', '--quick-gen-key', 'bob test <bob@example.test>', 'ed25519', 'sign', 'never'], { env });
    const colons = (await run(toolPath('gpg'), ['--batch', '--with-colons', '--list-secret-keys'], { env })).stdout;
    const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(colons)?.[1];
    assert.ok(fingerprint !== undefined, colons);
    const image = await pushTestImage(reg, home, 'peers/skopeo', 'gpg');
    const manifest = join(home, 'manifest.json');
    writeFileSync(manifest, (await run(toolPath('skopeo'), ['inspect', '--raw', '--tls-verify=false', `docker://${image.ref}`], { env })).stdout);
    const dockerReference = `${reg.host}/peers/skopeo:gpg`;
    await run(toolPath('skopeo'), ['standalone-sign', manifest, dockerReference, fingerprint, '-o', join(home, 'signature')], { env });
    const verified = await run(toolPath('skopeo'), ['standalone-verify', manifest, dockerReference, fingerprint, join(home, 'signature')], { env });
    assert.match(verified.stdout, new RegExp(image.digest.replace(':', ':')));
    const other = await run(toolPath('skopeo'), ['standalone-verify', manifest, `${reg.host}/peers/other:gpg`, fingerprint, join(home, 'signature')], { env, allowFailure: true });
    assert.notEqual(other.code, 0);
  });

  it('skopeo signs with a sigstore key into the registry and enforces a sigstoreSigned policy', async () => {
    const reg = await registry({ kind: 'distribution' });
    const home = scratchDir('skopeo-sigstore');
    const env = isolatedEnv(home, { COSIGN_PASSWORD: PASSWORD });
    await run(toolPath('cosign2'), ['generate-key-pair'], { env, cwd: home });
    writeFileSync(join(home, 'passphrase'), PASSWORD);
    const registriesD = join(home, 'registries.d');
    mkdirSync(registriesD);
    writeFileSync(join(registriesD, 'default.yaml'), 'default-docker:\n  use-sigstore-attachments: true\n');
    writeFileSync(join(home, 'policy.json'), JSON.stringify({
      default: [{ type: 'reject' }],
      transports: {
        docker: { [`${reg.host}/peers`]: [{ type: 'sigstoreSigned', keyPath: join(home, 'cosign.pub'), signedIdentity: { type: 'matchRepository' } }] },
        dir: { '': [{ type: 'insecureAcceptAnything' }] },
      },
    }));
    writeFileSync(join(home, 'policy-any.json'), JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
    const source = await pushTestImage(reg, home, 'peers/skopeo-source', 'v1');
    const skopeo = (policy: string, ...args: string[]) =>
      run(toolPath('skopeo'), [`--policy=${join(home, policy)}`, `--registries.d=${registriesD}`, ...args], { env, cwd: home, allowFailure: true });
    const signedRef = `docker://${reg.host}/peers/skopeo-signed:v1`;
    const signing = await skopeo('policy-any.json', 'copy', '--src-tls-verify=false', '--dest-tls-verify=false',
      '--sign-by-sigstore-private-key', join(home, 'cosign.key'), '--sign-passphrase-file', join(home, 'passphrase'),
      `docker://${source.ref}`, signedRef);
    assert.equal(signing.code, 0, signing.stderr);
    const accepted = await skopeo('policy.json', 'copy', '--src-tls-verify=false', signedRef, `dir:${join(home, 'out-signed')}`);
    assert.equal(accepted.code, 0, accepted.stderr);
    const rejected = await skopeo('policy.json', 'copy', '--src-tls-verify=false', `docker://${source.ref}`, `dir:${join(home, 'out-unsigned')}`);
    assert.notEqual(rejected.code, 0);
    assert.match(rejected.stderr, /signature/i);
  });

  it('flux pushes an artifact and pulls it back', async () => {
    const reg = await registry({ kind: 'distribution' });
    const home = scratchDir('flux');
    const env = isolatedEnv(home);
    const content = join(home, 'deploy');
    mkdirSync(content);
    writeFileSync(join(content, 'configmap.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: honey}\n');
    const url = `oci://${reg.host}/peers/flux:v1`;
    await run(toolPath('flux'), ['push', 'artifact', url, `--path=${content}`, '--source=https://example.test/repo.git',
      '--revision=main@sha1:0123456789abcdef0123456789abcdef01234567', '--insecure-registry'], { env, cwd: home });
    const out = join(home, 'out');
    mkdirSync(out);
    await run(toolPath('flux'), ['pull', 'artifact', url, `--output=${out}`, '--insecure-registry'], { env, cwd: home });
    assert.equal(readFileSync(join(out, 'configmap.yaml'), 'utf8'), readFileSync(join(content, 'configmap.yaml'), 'utf8'));
  });
});
