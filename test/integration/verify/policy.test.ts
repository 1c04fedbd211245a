// bob's policy.json provider against the real skopeo: images signed with
// `skopeo copy --sign-by-sigstore-private-key` (and cosign 2) on a real
// registry are judged by bob and by `skopeo copy --policy` with the SAME
// policy.json and registries.d; both must agree on every case.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryClient } from '../../../src/oci/index.ts';
import {
  DEFAULT_VERIFY_LIMITS, decryptPrivateKey, signArtifactWithCosign, type Verdict, type VerificationContext, type VerificationSubject,
} from '../../../src/verify/index.ts';
import {
  createPolicyVerifier, createTrustedKeyReader, parsePolicy, parseRegistriesD,
} from '../../../src/verify/policy/index.ts';
import { registry, scratchDir } from '../../env/environment.ts';
import { pushTestImage } from '../../env/fixtures.ts';
import { isolatedEnv } from '../../env/peers.ts';
import type { Registry } from '../../env/registries.ts';
import { run } from '../../env/run.ts';
import { toolPath } from '../../env/tools.ts';

const PASSWORD = 'bob-test-passphrase';

describe('verify/policy against skopeo', function () {
  this.timeout(120_000);

  let reg: Registry;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let client: RegistryClient;
  let registriesD: string;
  let keysDir: string;
  let caseNumber = 0;

  before(async () => {
    reg = await registry({ kind: 'distribution' });
    home = scratchDir('policy-skopeo');
    env = isolatedEnv(home, { COSIGN_PASSWORD: PASSWORD });
    client = new RegistryClient({ hosts: { [reg.host]: { plainHttp: true } } });
    keysDir = join(home, 'keys');
    mkdirSync(keysDir);
    await run(toolPath('cosign2'), ['generate-key-pair'], { env, cwd: keysDir });
    writeFileSync(join(home, 'passphrase'), PASSWORD);
    registriesD = join(home, 'registries.d');
    mkdirSync(registriesD);
    writeFileSync(join(registriesD, 'default.yaml'), 'default-docker:\n  use-sigstore-attachments: true\n');
    writeFileSync(join(home, 'policy-any.json'), JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));

    // peers/signed:v1, signed by skopeo (identity host/peers/signed:v1); :v2 is the same manifest, unsigned as a tag.
    const source = await pushTestImage(reg, home, 'policy/source', 'v1', 'policy provider content\n');
    const skopeoAny = (...args: string[]) => run(toolPath('skopeo'), [`--policy=${join(home, 'policy-any.json')}`, `--registries.d=${registriesD}`, ...args], { env, cwd: home });
    await skopeoAny('copy', '--src-tls-verify=false', '--dest-tls-verify=false',
      '--sign-by-sigstore-private-key', join(keysDir, 'cosign.key'), '--sign-passphrase-file', join(home, 'passphrase'),
      `docker://${source.ref}`, `docker://${reg.host}/policy/signed:v1`);
    await skopeoAny('copy', '--src-tls-verify=false', '--dest-tls-verify=false', '--remove-signatures',
      `docker://${reg.host}/policy/signed:v1`, `docker://${reg.host}/policy/signed:v2`);
    // policy/cosigned:v1, signed by cosign 2 (identity host/policy/cosigned, repository only).
    const cosigned = await pushTestImage(reg, home, 'policy/cosigned', 'v1', 'cosign signed content\n');
    await run(toolPath('cosign2'), ['sign', '--key', join(keysDir, 'cosign.key'), '--tlog-upload=false', '--allow-http-registry', '--yes', cosigned.pinned],
      { env, cwd: home });
    await pushTestImage(reg, home, 'policy/unsigned', 'v1', 'nobody signed this\n');
    await pushTestImage(reg, home, 'open/app', 'v1', 'open content\n');
  });

  async function subjectFor(repository: string, tag: string): Promise<VerificationSubject> {
    const fetched = await client.fetchManifest({ registry: reg.host, repository, tag }, { signal: AbortSignal.timeout(30_000) });
    return { reference: { registry: reg.host, repository, tag }, descriptor: fetched.descriptor };
  }

  function contextFor(): VerificationContext {
    return { client, signal: AbortSignal.timeout(60_000), now: () => new Date(), limits: DEFAULT_VERIFY_LIMITS };
  }

  /** Runs bob and skopeo on the same policy and image; returns bob's verdict after asserting they agree. */
  async function judge(
    policy: unknown, repository: string, tag: string, expected: 'verified' | 'rejected', configDir = registriesD,
  ): Promise<Verdict> {
    caseNumber++;
    const policyFile = join(home, `policy-${String(caseNumber)}.json`);
    writeFileSync(policyFile, JSON.stringify(policy));
    const verifier = createPolicyVerifier({
      policy: parsePolicy(readFileSync(policyFile)),
      readTrustedKey: createTrustedKeyReader(keysDir),
      registriesD: parseRegistriesD(readdirSync(configDir).map((name) => ({ name, text: readFileSync(join(configDir, name), 'utf8') }))),
    });
    const verdict = await verifier.verify(await subjectFor(repository, tag), contextFor());
    // skopeo reads key paths as given: hand it the same policy with absolute paths into the keys directory.
    const absolute = JSON.parse(JSON.stringify(policy).replace(/"keyPath":"([^"/][^"]*)"/g, (_match, path: string) => `"keyPath":${JSON.stringify(join(keysDir, path))}`)) as unknown;
    const skopeoPolicy = join(home, `policy-${String(caseNumber)}-skopeo.json`);
    writeFileSync(skopeoPolicy, JSON.stringify(absolute));
    const copied = await run(toolPath('skopeo'), [
      `--policy=${skopeoPolicy}`, `--registries.d=${configDir}`, 'copy', '--src-tls-verify=false',
      `docker://${reg.host}/${repository}:${tag}`, `dir:${join(home, `out-${String(caseNumber)}`)}`,
    ], { env, cwd: home, allowFailure: true });
    const skopeoOutcome = copied.code === 0 ? 'verified' : 'rejected';
    assert.equal(verdict.outcome, expected, `bob: ${JSON.stringify(verdict)}`);
    assert.equal(skopeoOutcome, expected, `skopeo: ${copied.stderr}`);
    if (expected === 'rejected') assert.match(copied.stderr, /rejected|signature|Signature/, copied.stderr);
    return verdict;
  }

  const matchRepository = { type: 'matchRepository' };

  it('a skopeo sigstore signature is accepted with keyPath + matchRepository', async () => {
    const verdict = await judge({ default: [{ type: 'sigstoreSigned', keyPath: 'cosign.pub', signedIdentity: matchRepository }] }, 'policy/signed', 'v1', 'verified');
    assert.ok(verdict.outcome === 'verified');
    const [first, ...rest] = verdict.signatures;
    assert.ok(first !== undefined && rest.length === 0);
    assert.equal(first.format, 'sigstore-attachment');
    assert.match(first.signer, /^key SHA256:[0-9a-f]{64}$/);
  });

  it('the default identity accepts the tag skopeo signed and rejects another tag of the same digest', async () => {
    const policy = { default: [{ type: 'sigstoreSigned', keyPath: 'cosign.pub' }] };
    await judge(policy, 'policy/signed', 'v1', 'verified');
    const verdict = await judge(policy, 'policy/signed', 'v2', 'rejected');
    assert.ok(verdict.outcome === 'rejected');
    assert.equal(verdict.code, 'IDENTITY_MISMATCH');
    assert.equal(verdict.reason, `Signature for identity "${reg.host}/policy/signed:v1" is not accepted`);
    await judge({ default: [{ type: 'sigstoreSigned', keyPath: 'cosign.pub', signedIdentity: matchRepository }] }, 'policy/signed', 'v2', 'verified');
  });

  it('the default identity never accepts a cosign signature; matchRepository does', async () => {
    const verdict = await judge({ default: [{ type: 'sigstoreSigned', keyPath: 'cosign.pub' }] }, 'policy/cosigned', 'v1', 'rejected');
    assert.ok(verdict.outcome === 'rejected');
    assert.equal(verdict.code, 'IDENTITY_MISMATCH');
    assert.equal(verdict.reason, `Signature for identity "${reg.host}/policy/cosigned" is not accepted`);
    await judge({ default: [{ type: 'sigstoreSigned', keyPath: 'cosign.pub', signedIdentity: matchRepository }] }, 'policy/cosigned', 'v1', 'verified');
  });

  it('a legacy cosign signature made by bob satisfies sigstoreSigned for bob and for skopeo', async () => {
    const image = await pushTestImage(reg, home, 'policy/bob-signed', 'v1', 'bob signed content\n');
    const privateKey = await decryptPrivateKey(readFileSync(join(keysDir, 'cosign.key'), 'utf8'), PASSWORD);
    const subject = await subjectFor('policy/bob-signed', 'v1');
    assert.equal(subject.descriptor.digest, image.digest);
    await signArtifactWithCosign(client, subject, { privateKey, format: 'legacy', signal: AbortSignal.timeout(30_000) });
    const verdict = await judge({ default: [{ type: 'sigstoreSigned', keyPath: 'cosign.pub', signedIdentity: matchRepository }] }, 'policy/bob-signed', 'v1', 'verified');
    assert.equal(verdict.outcome === 'verified' ? verdict.signatures.length : 0, 1);
  });

  it('an unsigned image is rejected', async () => {
    const verdict = await judge({ default: [{ type: 'sigstoreSigned', keyPath: 'cosign.pub', signedIdentity: matchRepository }] }, 'policy/unsigned', 'v1', 'rejected');
    assert.deepEqual(verdict, {
      outcome: 'rejected', provider: 'policy', code: 'NO_SIGNATURES', reason: 'A signature was required, but no signature exists', attempts: [],
    });
  });

  it('a signature by another key is rejected', async () => {
    mkdirSync(join(keysDir, 'other'), { recursive: true });
    await run(toolPath('cosign2'), ['generate-key-pair'], { env, cwd: join(keysDir, 'other') });
    const verdict = await judge({ default: [{ type: 'sigstoreSigned', keyPath: 'other/cosign.pub', signedIdentity: matchRepository }] }, 'policy/signed', 'v1', 'rejected');
    assert.ok(verdict.outcome === 'rejected');
    assert.equal(verdict.code, 'SIGNATURE_INVALID');
  });

  it('default reject with a scoped insecureAcceptAnything', async () => {
    const policy = { default: [{ type: 'reject' }], transports: { docker: { [`${reg.host}/open`]: [{ type: 'insecureAcceptAnything' }] } } };
    const open = await judge(policy, 'open/app', 'v1', 'verified');
    assert.ok(open.outcome === 'verified');
    assert.equal(open.signatures.length, 0);
    assert.equal(open.warnings.length, 1);
    const closed = await judge(policy, 'policy/signed', 'v1', 'rejected');
    assert.ok(closed.outcome === 'rejected');
    assert.equal(closed.code, 'POLICY_REJECTED');
    assert.equal(closed.reason, `Running image docker://${reg.host}/policy/signed:v1 is rejected by policy.`);
  });

  it('all requirements must allow: a scoped list with a signature requirement and a reject', async () => {
    await judge({
      default: [{ type: 'insecureAcceptAnything' }],
      transports: { docker: { [`${reg.host}/policy`]: [{ type: 'sigstoreSigned', keyPath: 'cosign.pub', signedIdentity: matchRepository }, { type: 'reject' }] } },
    }, 'policy/signed', 'v1', 'rejected');
  });

  describe('signedBy (GPG simple signing in file:// lookaside storage)', () => {
    let gpgRegistriesD: string;

    before(async () => {
      const gnupgHome = join(home, 'gnupg');
      mkdirSync(gnupgHome, { mode: 0o700 });
      const gpgEnv = { ...env, GNUPGHOME: gnupgHome };
      await run(toolPath('gpg'), ['--batch', '--passphrase', '', '--quick-gen-key', 'bob policy <policy@example.test>', 'ed25519', 'sign', 'never'], { env: gpgEnv });
      const colons = (await run(toolPath('gpg'), ['--batch', '--with-colons', '--list-secret-keys'], { env: gpgEnv })).stdout;
      const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(colons)?.[1];
      assert.ok(fingerprint !== undefined, colons);
      writeFileSync(join(keysDir, 'gpg.pub'), (await run(toolPath('gpg'), ['--batch', '--armor', '--export', fingerprint], { env: gpgEnv })).stdout);
      gpgRegistriesD = join(home, 'registries-gpg.d');
      mkdirSync(gpgRegistriesD);
      const lookaside = `file://${join(home, 'lookaside')}`;
      writeFileSync(join(gpgRegistriesD, 'gpg.yaml'), `default-docker:\n  lookaside: ${lookaside}\n  lookaside-staging: ${lookaside}\n`);
      await run(toolPath('skopeo'), [`--policy=${join(home, 'policy-any.json')}`, `--registries.d=${gpgRegistriesD}`, 'copy',
        '--src-tls-verify=false', '--dest-tls-verify=false', '--sign-by', fingerprint,
        `docker://${reg.host}/policy/unsigned:v1`, `docker://${reg.host}/policy/gpg:v1`], { env: gpgEnv, cwd: home });
      await pushTestImage(reg, home, 'policy/gpg-unsigned', 'v1', 'gpg unsigned content\n');
    });

    it('accepts the signed tag with the default identity and reports the GPG fingerprint', async () => {
      const verdict = await judge({ default: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: 'gpg.pub' }] }, 'policy/gpg', 'v1', 'verified', gpgRegistriesD);
      assert.ok(verdict.outcome === 'verified');
      const [first] = verdict.signatures;
      assert.ok(first !== undefined);
      assert.equal(first.format, 'simple-signing');
      assert.match(first.signer, /^GPG [0-9A-F]{40}$/);
      assert.match(first.source, /signature-1$/);
    });

    it('rejects a tag the signature does not name, unless matchRepository', async () => {
      const verdict = await judge({
        default: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: 'gpg.pub', signedIdentity: { type: 'exactReference', dockerReference: `${reg.host}/policy/gpg:v2` } }],
      }, 'policy/gpg', 'v1', 'rejected', gpgRegistriesD);
      assert.ok(verdict.outcome === 'rejected');
      assert.equal(verdict.code, 'IDENTITY_MISMATCH');
      await judge({ default: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: 'gpg.pub', signedIdentity: matchRepository }] }, 'policy/gpg', 'v1', 'verified', gpgRegistriesD);
    });

    it('rejects an image without simple signatures', async () => {
      const verdict = await judge({ default: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: 'gpg.pub' }] }, 'policy/gpg-unsigned', 'v1', 'rejected', gpgRegistriesD);
      assert.ok(verdict.outcome === 'rejected');
      assert.equal(verdict.code, 'NO_SIGNATURES');
    });

    it('a GPG signature does not satisfy sigstoreSigned, nor a sigstore one signedBy', async () => {
      await judge({ default: [{ type: 'sigstoreSigned', keyPath: 'cosign.pub', signedIdentity: matchRepository }] }, 'policy/gpg', 'v1', 'rejected', gpgRegistriesD);
      await judge({ default: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: 'gpg.pub' }] }, 'policy/signed', 'v1', 'rejected');
    });
  });
});
