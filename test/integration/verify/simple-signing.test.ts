// GPG simple signing against the real tools: skopeo's standalone signatures
// (made with the real gpg) are found in lookaside storage (file:// and
// http://) and verified by bob; bob's signatures are accepted by
// `skopeo standalone-verify` and by a `signedBy` policy in `skopeo copy`,
// which still rejects an unsigned image.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OCI_MANIFEST, RegistryClient } from '../../../src/oci/index.ts';
import { DEFAULT_VERIFY_LIMITS, type VerificationContext, type VerificationSubject } from '../../../src/verify/index.ts';
import { isRejectionError } from '../../../src/verify/errors.ts';
import {
  fetchSimpleSignatures, loadGpgKeyring, signSimpleSigning, verifySimpleSignature, writeLookasideSignature,
  type GpgKeyring,
} from '../../../src/verify/simple-signing/index.ts';
import { registry, scratchDir } from '../../env/environment.ts';
import { pushTestImage, type PushedImage } from '../../env/fixtures.ts';
import { isolatedEnv } from '../../env/peers.ts';
import type { Registry } from '../../env/registries.ts';
import { run } from '../../env/run.ts';
import { toolPath } from '../../env/tools.ts';

const REPOSITORY = 'simple-signing/app';

/** A tiny static file server for an http lookaside. */
async function serveDirectory(root: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    // req.url may start with `//` (a base URL ending in `/`): not a URL to resolve, a path to join.
    const path = normalize(join(root, decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/')));
    if (!path.startsWith(root)) return void res.writeHead(403).end();
    try {
      const body = readFileSync(path);
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`, server };
}

async function rejectionCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isRejectionError(error)) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('verify: GPG simple signing with skopeo and gpg', function () {
  this.timeout(180_000);
  let reg: Registry;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let client: RegistryClient;
  let signer: string;
  let stranger: string;
  let trusted: GpgKeyring;
  let image: PushedImage;
  let unsigned: PushedImage;
  let manifestFile: string;
  let otherManifestFile: string;
  let policy: string;

  const gpg = async (...args: string[]): Promise<string> =>
    (await run(toolPath('gpg'), ['--batch', '--passphrase', '', '--pinentry-mode', 'loopback', ...args], { env })).stdout;
  const skopeo = async (...args: string[]) => run(toolPath('skopeo'), args, { env, cwd: home, allowFailure: true });
  const fingerprintOf = async (uid: string): Promise<string> => {
    const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(await gpg('--with-colons', '--list-keys', uid))?.[1];
    assert.ok(fingerprint !== undefined);
    return fingerprint;
  };
  const subjectOf = (pushed: PushedImage): VerificationSubject => ({
    reference: { registry: reg.host, repository: pushed.repository, tag: 'v1' },
    descriptor: { mediaType: OCI_MANIFEST, digest: pushed.digest, size: 0 },
  });
  const context = (): VerificationContext => ({
    client, signal: AbortSignal.timeout(60_000), now: () => new Date(), limits: DEFAULT_VERIFY_LIMITS,
  });
  const writeManifest = async (pushed: PushedImage, file: string): Promise<string> => {
    writeFileSync(file, (await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${pushed.ref}`)).stdout);
    return file;
  };

  before(async () => {
    reg = await registry({ kind: 'distribution' });
    home = scratchDir('simple-signing');
    const gnupgHome = join(home, 'gnupg');
    mkdirSync(gnupgHome, { mode: 0o700 });
    env = isolatedEnv(home, { GNUPGHOME: gnupgHome });
    await gpg('--quick-gen-key', 'signer <signer@example.test>', 'ed25519', 'sign', 'never');
    await gpg('--quick-gen-key', 'stranger <stranger@example.test>', 'ed25519', 'sign', 'never');
    signer = await fingerprintOf('signer@example.test');
    stranger = await fingerprintOf('stranger@example.test');
    await gpg('--output', join(home, 'signer.gpg'), '--export', signer);
    trusted = await loadGpgKeyring([readFileSync(join(home, 'signer.gpg'))]);
    image = await pushTestImage(reg, home, REPOSITORY, 'v1');
    unsigned = await pushTestImage(reg, home, 'simple-signing/unsigned', 'v1', 'nobody signed this\n');
    manifestFile = await writeManifest(image, join(home, 'manifest.json'));
    otherManifestFile = await writeManifest(unsigned, join(home, 'other-manifest.json'));
    client = new RegistryClient({ hosts: { [reg.host]: { plainHttp: true } } });
    policy = join(home, 'policy.json');
    writeFileSync(policy, JSON.stringify({
      default: [{ type: 'reject' }],
      transports: {
        docker: { [`${reg.host}/simple-signing`]: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: join(home, 'signer.gpg') }] },
        dir: { '': [{ type: 'insecureAcceptAnything' }] },
      },
    }));
  });

  after(async () => {
    await client.close();
  });

  it('verifies a skopeo standalone-sign signature found in a file:// lookaside; refuses a stranger\'s key and another image\'s signature', async () => {
    const lookaside = join(home, 'lookaside-skopeo');
    const directory = join(lookaside, `${REPOSITORY}@${image.digest.replace(':', '=')}`);
    mkdirSync(directory, { recursive: true });
    const reference = image.ref;
    const signed = await skopeo('standalone-sign', manifestFile, reference, signer, '-o', join(directory, 'signature-1'));
    assert.equal(signed.code, 0, signed.stderr);
    // signature-2: a valid signature by the same key, but of the unsigned image's manifest.
    const foreign = await skopeo('standalone-sign', otherManifestFile, reference, signer, '-o', join(directory, 'signature-2'));
    assert.equal(foreign.code, 0, foreign.stderr);

    assert.equal(await client.supportsSignatureExtension(reg.host, { signal: AbortSignal.timeout(30_000) }), false);
    const found = await fetchSimpleSignatures(subjectOf(image), { lookaside: pathToFileURL(lookaside).href }, context());
    assert.equal(found.length, 2);
    const [first, second] = found;
    assert.ok(first !== undefined && second !== undefined);
    assert.match(first.source, /signature-1$/);

    const verified = await verifySimpleSignature(first.blob, trusted, image.digest);
    assert.equal(verified.primaryFingerprint, signer);
    assert.equal(verified.payload.dockerManifestDigest, image.digest);
    assert.equal(verified.payload.dockerReference, reference);
    assert.match(verified.payload.creator ?? '', /^atomic /);

    await gpg('--output', join(home, 'stranger.gpg'), '--export', stranger);
    const strangers = await loadGpgKeyring([readFileSync(join(home, 'stranger.gpg'))]);
    assert.equal(await rejectionCode(verifySimpleSignature(first.blob, strangers, image.digest)), 'SIGNER_UNTRUSTED');
    assert.equal(await rejectionCode(verifySimpleSignature(second.blob, trusted, image.digest)), 'SUBJECT_MISMATCH');
    assert.equal((await verifySimpleSignature(second.blob, trusted, unsigned.digest)).primaryFingerprint, signer);
  });

  it('reads the same lookaside over http from a tiny node server', async () => {
    const lookaside = join(home, 'lookaside-http');
    const directory = join(lookaside, `${REPOSITORY}@${image.digest.replace(':', '=')}`);
    mkdirSync(directory, { recursive: true });
    const signed = await skopeo('standalone-sign', manifestFile, image.ref, signer, '-o', join(directory, 'signature-1'));
    assert.equal(signed.code, 0, signed.stderr);
    const { url, server } = await serveDirectory(lookaside);
    try {
      const found = await fetchSimpleSignatures(subjectOf(image), { lookaside: `${url}/` }, context());
      assert.deepEqual(found.map((entry) => entry.source), [`${url}//${REPOSITORY}@${image.digest.replace(':', '=')}/signature-1`]);
      const [first] = found;
      assert.ok(first !== undefined);
      assert.equal((await verifySimpleSignature(first.blob, trusted, image.digest)).primaryFingerprint, signer);
      assert.deepEqual(await fetchSimpleSignatures(subjectOf(unsigned), { lookaside: url }, context()), []);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    }
  });

  it('bob\'s signature passes skopeo standalone-verify and a signedBy policy in skopeo copy, which rejects an unsigned image', async () => {
    const privateKeyArmored = await gpg('--armor', '--export-secret-keys', signer);
    const blob = await signSimpleSigning({ manifestDigest: image.digest, dockerReference: image.ref, privateKeyArmored, creator: 'bob test' });
    const signatureFile = join(home, 'bob.signature');
    writeFileSync(signatureFile, blob);
    const standalone = await skopeo('standalone-verify', manifestFile, image.ref, signer, signatureFile);
    assert.equal(standalone.code, 0, standalone.stderr);
    assert.match(standalone.stdout, new RegExp(`Signature verified using fingerprint ${signer}, digest ${image.digest}`));
    const wrongIdentity = await skopeo('standalone-verify', manifestFile, `${reg.host}/simple-signing/other:v1`, signer, signatureFile);
    assert.notEqual(wrongIdentity.code, 0);

    const lookaside = join(home, 'lookaside-bob');
    const base = pathToFileURL(lookaside).href;
    const written = await writeLookasideSignature(base, subjectOf(image), blob);
    assert.equal(written.index, 1);
    const registriesD = join(home, 'registries.d');
    mkdirSync(registriesD, { recursive: true });
    writeFileSync(join(registriesD, 'default.yaml'), `default-docker:\n  lookaside: ${base}\n`);
    const copy = async (pushed: PushedImage, out: string) =>
      skopeo(`--policy=${policy}`, `--registries.d=${registriesD}`, 'copy', '--src-tls-verify=false', `docker://${pushed.ref}`, `dir:${join(home, out)}`);
    const accepted = await copy(image, 'out-signed');
    assert.equal(accepted.code, 0, accepted.stderr);
    const rejected = await copy(unsigned, 'out-unsigned');
    assert.notEqual(rejected.code, 0);
    assert.match(rejected.stderr, /signature/i);

    // And bob reads back what skopeo accepted.
    const found = await fetchSimpleSignatures(subjectOf(image), { lookaside: base }, context());
    assert.equal(found.length, 1);
    const [first] = found;
    assert.ok(first !== undefined);
    assert.equal((await verifySimpleSignature(first.blob, trusted, image.digest)).payload.creator, 'bob test');
  });

  it('skopeo rejects bob\'s signature when it names another image (same policy)', async () => {
    const privateKeyArmored = await gpg('--armor', '--export-secret-keys', signer);
    const blob = await signSimpleSigning({ manifestDigest: image.digest, dockerReference: image.ref, privateKeyArmored });
    const lookaside = join(home, 'lookaside-misplaced');
    const base = pathToFileURL(lookaside).href;
    await writeLookasideSignature(base, subjectOf(unsigned), blob);
    const registriesD = join(home, 'registries-misplaced.d');
    mkdirSync(registriesD, { recursive: true });
    writeFileSync(join(registriesD, 'default.yaml'), `default-docker:\n  lookaside: ${base}\n`);
    const result = await skopeo(`--policy=${policy}`, `--registries.d=${registriesD}`, 'copy', '--src-tls-verify=false',
      `docker://${unsigned.ref}`, `dir:${join(home, 'out-misplaced')}`);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /does not match/i);
    const [found] = await fetchSimpleSignatures(subjectOf(unsigned), { lookaside: base }, context());
    assert.ok(found !== undefined);
    assert.equal(await rejectionCode(verifySimpleSignature(found.blob, trusted, unsigned.digest)), 'SUBJECT_MISMATCH');
  });
});
