// bob's cosign signatures are cosign's: what signArtifactWithCosign pushes
// (legacy `.sig` layers and cosign 3 bundle referrers, with keys made by bob
// and by cosign) passes the real `cosign verify` of cosign 2 and 3 on
// distribution (referrers tag fallback) and olareg (referrers API), is
// refused for another key, and appends to an existing `.sig` without
// breaking the signatures already there.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OCI_EMPTY, OCI_MANIFEST, RegistryClient, type Repository } from '../../../src/oci/index.ts';
import { decryptPrivateKey, generateCosignKeyPair, signArtifactWithCosign, type VerificationSubject } from '../../../src/verify/index.ts';
import { registry, scratchDir } from '../../env/environment.ts';
import { pushTestImage } from '../../env/fixtures.ts';
import { isolatedEnv } from '../../env/peers.ts';
import type { Registry, RegistryKind } from '../../env/registries.ts';
import { run, type RunResult } from '../../env/run.ts';
import { toolPath } from '../../env/tools.ts';

const PASSWORD = 'bob-sign-passphrase';
const BUNDLE_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';

interface Workspace {
  readonly reg: Registry;
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  readonly client: RegistryClient;
}

async function workspace(kind: RegistryKind, name: string): Promise<Workspace> {
  const reg = await registry({ kind });
  const home = scratchDir(name);
  const env = isolatedEnv(home, { COSIGN_PASSWORD: PASSWORD, SIGSTORE_NO_CACHE: '1', TUF_ROOT: join(home, 'tuf') });
  return { reg, home, env, client: new RegistryClient({ hosts: { [reg.host]: { plainHttp: true } } }) };
}

async function cosign(ws: Workspace, tool: 'cosign2' | 'cosign3', ...args: string[]): Promise<RunResult> {
  return run(toolPath(tool), args, { env: ws.env, cwd: ws.home, allowFailure: true });
}

async function cosignVerify(ws: Workspace, tool: 'cosign2' | 'cosign3', publicKey: string, ref: string): Promise<RunResult> {
  return cosign(ws, tool, 'verify', '--key', publicKey, '--insecure-ignore-tlog=true', '--allow-http-registry', ref);
}

/** Writes `<prefix>.key`/`.pub` made by bob or by cosign 2. */
async function keyPair(ws: Workspace, maker: 'bob' | 'cosign', prefix: string): Promise<void> {
  if (maker === 'cosign') {
    const made = await cosign(ws, 'cosign2', 'generate-key-pair', '--output-key-prefix', prefix);
    assert.equal(made.code, 0, made.stderr);
    return;
  }
  const pair = await generateCosignKeyPair(PASSWORD);
  writeFileSync(join(ws.home, `${prefix}.key`), pair.privateKeyPem, { mode: 0o600 });
  writeFileSync(join(ws.home, `${prefix}.pub`), pair.publicKeyPem);
}

async function subjectOf(ws: Workspace, repository: string, tag: string): Promise<{ subject: VerificationSubject; ref: string; digest: string }> {
  const image = await pushTestImage(ws.reg, ws.home, repository, tag, `signed ${repository}:${tag}\n`);
  const reference = { registry: ws.reg.host, repository, tag };
  const descriptor = await ws.client.resolve(reference, { signal: AbortSignal.timeout(30_000) });
  return { subject: { reference, descriptor }, ref: image.ref, digest: image.digest };
}

async function sign(ws: Workspace, subject: VerificationSubject, prefix: string, format: 'legacy' | 'bundle') {
  const privateKey = await decryptPrivateKey(readFileSync(join(ws.home, `${prefix}.key`), 'utf8'), PASSWORD);
  return signArtifactWithCosign(ws.client, subject, { privateKey, format, signal: AbortSignal.timeout(60_000) });
}

interface SigManifest {
  readonly layers: readonly { mediaType: string; digest: string; annotations?: Record<string, string> }[];
  readonly config: { mediaType: string };
}

async function sigManifest(ws: Workspace, repository: string, digest: string): Promise<SigManifest> {
  const repo: Repository = { registry: ws.reg.host, repository };
  const fetched = await ws.client.fetchManifest({ ...repo, tag: `${digest.replace(':', '-')}.sig` }, { signal: AbortSignal.timeout(30_000) });
  return JSON.parse(new TextDecoder().decode(fetched.bytes)) as SigManifest;
}

describe('verify/cosign signing, checked by the real cosign', function () {
  this.timeout(180_000);

  for (const kind of ['distribution', 'olareg'] as const) {
    for (const maker of ['bob', 'cosign'] as const) {
      it(`legacy .sig with a ${maker}-made key on ${kind} verifies in cosign 2 and 3, and not for another key`, async () => {
        const ws = await workspace(kind, `sign-legacy-${maker}`);
        try {
          await keyPair(ws, maker, 'signer');
          await keyPair(ws, 'bob', 'other');
          const repository = `sign/legacy-${maker}`;
          const { subject, ref, digest } = await subjectOf(ws, repository, 'v1');
          const signed = await sign(ws, subject, 'signer', 'legacy');
          assert.equal(signed.outcome, 'pushed');
          assert.equal(signed.location, `${ws.reg.host}/${repository}:${digest.replace(':', '-')}.sig`);
          for (const tool of ['cosign2', 'cosign3'] as const) {
            const verified = await cosignVerify(ws, tool, 'signer.pub', ref);
            assert.equal(verified.code, 0, `${tool}: ${verified.stderr}`);
            const [payload] = JSON.parse(verified.stdout) as { critical: { image: { 'docker-manifest-digest': string }; identity: { 'docker-reference': string } } }[];
            assert.equal(payload?.critical.image['docker-manifest-digest'], digest);
            assert.equal(payload.critical.identity['docker-reference'], `${ws.reg.host}/${repository}`);
            const refused = await cosignVerify(ws, tool, 'other.pub', ref);
            assert.notEqual(refused.code, 0);
            assert.match(refused.stderr, /no matching signatures/);
          }
        } finally {
          await ws.client.close();
        }
      });

      it(`bundle referrer with a ${maker}-made key on ${kind} verifies in cosign 3, and not for another key`, async () => {
        const ws = await workspace(kind, `sign-bundle-${maker}`);
        try {
          await keyPair(ws, maker, 'signer');
          await keyPair(ws, 'bob', 'other');
          const repository = `sign/bundle-${maker}`;
          const { subject, ref, digest } = await subjectOf(ws, repository, 'v1');
          const signed = await sign(ws, subject, 'signer', 'bundle');
          assert.equal(signed.location, `${ws.reg.host}/${repository}@${signed.manifest.digest}`);
          const referrers = await ws.client.listReferrers({ registry: ws.reg.host, repository }, digest, { signal: AbortSignal.timeout(30_000) });
          assert.deepEqual(referrers.map((r) => [r.digest, r.artifactType]), [[signed.manifest.digest, BUNDLE_TYPE]]);
          const referrer = await ws.client.fetchManifestByDescriptor({ registry: ws.reg.host, repository }, signed.manifest, { signal: AbortSignal.timeout(30_000) });
          const manifest = referrer.manifest;
          assert.equal(manifest.kind, 'manifest');
          assert.equal(manifest.config.mediaType, OCI_EMPTY);
          assert.deepEqual(manifest.layers.map((l) => l.mediaType), [BUNDLE_TYPE]);
          assert.deepEqual(manifest.subject, { mediaType: OCI_MANIFEST, digest, size: subject.descriptor.size });
          assert.equal(manifest.annotations?.['dev.sigstore.bundle.content'], 'dsse-envelope');
          assert.equal(manifest.annotations['dev.sigstore.bundle.predicateType'], 'https://sigstore.dev/cosign/sign/v1');
          assert.match(manifest.annotations['org.opencontainers.image.created'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
          const verified = await cosignVerify(ws, 'cosign3', 'signer.pub', ref);
          assert.equal(verified.code, 0, verified.stderr);
          const refused = await cosignVerify(ws, 'cosign3', 'other.pub', ref);
          assert.notEqual(refused.code, 0);
        } finally {
          await ws.client.close();
        }
      });
    }
  }

  it('appends to a .sig that cosign wrote, keeps its layer as it was, skips a repeat and lets cosign append after bob', async () => {
    const ws = await workspace('distribution', 'sign-append');
    try {
      await keyPair(ws, 'cosign', 'first');
      await keyPair(ws, 'bob', 'second');
      await keyPair(ws, 'cosign', 'third');
      const repository = 'sign/append';
      const { subject, ref, digest } = await subjectOf(ws, repository, 'v1');
      const signedByCosign = await cosign(ws, 'cosign2', 'sign', '--key', 'first.key', '--tlog-upload=false', '--allow-http-registry', '--yes', `${ws.reg.host}/${repository}@${digest}`);
      assert.equal(signedByCosign.code, 0, signedByCosign.stderr);
      const before = await sigManifest(ws, repository, digest);
      assert.equal(before.layers.length, 1);

      const bobSigned = await sign(ws, subject, 'second', 'legacy');
      assert.equal(bobSigned.outcome, 'pushed');
      const after = await sigManifest(ws, repository, digest);
      assert.equal(after.layers.length, 2);
      assert.deepEqual(after.layers[0], before.layers[0]);
      assert.equal(after.config.mediaType, 'application/vnd.oci.image.config.v1+json');

      const repeat = await sign(ws, subject, 'second', 'legacy');
      assert.equal(repeat.outcome, 'existing');
      assert.equal(repeat.manifest.digest, bobSigned.manifest.digest);
      assert.equal((await sigManifest(ws, repository, digest)).layers.length, 2);

      const appendedByCosign = await cosign(ws, 'cosign2', 'sign', '--key', 'third.key', '--tlog-upload=false', '--allow-http-registry', '--yes', `${ws.reg.host}/${repository}@${digest}`);
      assert.equal(appendedByCosign.code, 0, appendedByCosign.stderr);
      const final = await sigManifest(ws, repository, digest);
      assert.equal(final.layers.length, 3);
      assert.ok(final.layers.every((l) => l.digest === final.layers[0]?.digest));
      for (const key of ['first.pub', 'second.pub', 'third.pub']) {
        for (const tool of ['cosign2', 'cosign3'] as const) {
          const verified = await cosignVerify(ws, tool, key, ref);
          assert.equal(verified.code, 0, `${tool} ${key}: ${verified.stderr}`);
        }
      }
      assert.ok(final.layers.every((l) => l.annotations?.['dev.cosignproject.cosign/signature'] !== undefined));
      assert.ok(final.layers.every((l) => l.mediaType === SIMPLE_SIGNING));
    } finally {
      await ws.client.close();
    }
  });
});
