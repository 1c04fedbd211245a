// `bobctl verify artifact` end to end against real registries and the real
// signing CLIs: cosign 2/3 (keyed legacy, bundle, attestations, keyless from
// the test PKI), notation (JWS/COSE) and GPG simple signing judged by a
// policy.json; `bobctl sign artifact` with each signer, checked by the
// reference tools (cosign, notation verify, skopeo standalone-verify) and by
// bobctl itself; exit codes 0 / 6 (not trusted) / 2 (usage) / 1 (broken
// trust material).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bobctl, bobctlFlags, type BobctlResult } from '../../env/bobctl.ts';
import { registry, scratchDir } from '../../env/environment.ts';
import { pushTestImage, type PushedImage } from '../../env/fixtures.ts';
import { isolatedEnv } from '../../env/peers.ts';
import type { Registry } from '../../env/registries.ts';
import { run, type RunResult } from '../../env/run.ts';
import { toolPath } from '../../env/tools.ts';
import { toPem } from '../../fixtures/sigstore/certificates.ts';
import { createTestPki } from '../../fixtures/sigstore/pki.ts';
import { createTestTsa } from '../../fixtures/sigstore/tsa.ts';

const PASSWORD = 'verify-artifact-passphrase';
const ISSUER = 'https://issuer.bob.test';
const DIGEST = /sha256:[0-9a-f]{64}/.source;
const NO_MATCH = 'failed to verify the signature using provider \'cosign\': no matching signatures were found\n';

/** Escapes a literal for a RegExp. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

interface Workspace {
  readonly reg: Registry;
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  /** bobctl with this workspace's env, cwd and registry flags. */
  bob(...args: string[]): Promise<BobctlResult>;
  /** A fresh image (own work dir, so pushes never share files). */
  image(repository: string, tag: string): Promise<PushedImage>;
}

async function workspace(kind: 'distribution' | 'olareg' | 'zot', name: string, extra: NodeJS.ProcessEnv = {}): Promise<Workspace> {
  const reg = await registry({ kind });
  const home = scratchDir(name);
  const env = isolatedEnv(home, { COSIGN_PASSWORD: PASSWORD, SIGSTORE_NO_CACHE: '1', TUF_ROOT: join(home, 'tuf'), ...extra });
  return {
    reg, home, env,
    bob: async (...args) => bobctl([...args, ...bobctlFlags(reg)], { env, cwd: home }),
    image: async (repository, tag) => pushTestImage(reg, scratchDir(`${name}-image`), repository, tag, `${repository} ${tag}\n`),
  };
}

function assertExit(result: BobctlResult, code: number): void {
  assert.equal(result.code, code, `exit ${String(result.code)}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
}

describe('bobctl verify artifact', function () {
  this.timeout(120_000);

  describe('cosign', () => {
    let w: Workspace;
    let legacy2: PushedImage;
    let bundle3: PushedImage;
    let unsigned: PushedImage;

    const cosign = async (tool: 'cosign2' | 'cosign3', ...args: string[]): Promise<RunResult> => {
      const offline = tool === 'cosign3' && ['sign', 'attest'].includes(args[0] ?? '') ? ['--use-signing-config=false'] : [];
      return run(toolPath(tool), [...args, ...offline], { env: w.env, cwd: w.home });
    };

    before(async () => {
      w = await workspace('distribution', 'verify-cli-cosign');
      [legacy2, bundle3, unsigned] = await Promise.all(['legacy2', 'bundle3', 'unsigned'].map(async (tag) => w.image('cli/verify-cosign', tag))) as [PushedImage, PushedImage, PushedImage];
      await cosign('cosign2', 'generate-key-pair');
      await cosign('cosign2', 'generate-key-pair', '--output-key-prefix', 'other');
      writeFileSync(join(w.home, 'provenance.json'), '{"builder":{"id":"https://bob.test/builder"},"buildType":"https://bob.test/build"}');
      const sign = ['--key', 'cosign.key', '--tlog-upload=false', '--allow-http-registry', '--yes'];
      await cosign('cosign2', 'sign', ...sign, legacy2.pinned);
      await cosign('cosign3', 'sign', ...sign, bundle3.pinned);
      await cosign('cosign2', 'attest', ...sign, '--type', 'slsaprovenance', '--predicate', 'provenance.json', legacy2.pinned);
    });

    it('accepts cosign 2 (legacy) and cosign 3 (bundle) key signatures, naming the key, the format and where', async () => {
      for (const [image, format, where] of [
        [legacy2, 'cosign-legacy', `${w.reg.host}/cli/verify-cosign:${legacy2.digest.replace(':', '-')}.sig`],
        [bundle3, 'cosign-bundle', `${w.reg.host}/cli/verify-cosign@`],
      ] as const) {
        const result = await w.bob('verify', 'artifact', `oci://${image.ref}`, '--key', 'cosign.pub');
        assertExit(result, 0);
        assert.equal(result.stderr, '');
        const lines = result.stdout.split('\n');
        assert.equal(lines[0], `Verified oci://${image.ref} (${image.pinned})`);
        assert.match(lines[1] ?? '', new RegExp(`^  cosign: ${format} by key cosign\\.pub \\(sha256:[0-9a-f]{64}\\) \\(${literal(where)}`));
      }
    });

    it('exits 6 for an unsigned image, another key and a missing attestation type; any of several keys may match', async () => {
      const missing = await w.bob('verify', 'artifact', unsigned.ref, '--key', 'cosign.pub');
      assertExit(missing, 6);
      assert.equal(missing.stdout, '');
      assert.equal(missing.stderr, NO_MATCH);
      for (const image of [legacy2, bundle3]) {
        const wrongKey = await w.bob('verify', 'artifact', image.ref, '--key', 'other.pub');
        assertExit(wrongKey, 6);
        assert.match(wrongKey.stderr, /^failed to verify the signature using provider 'cosign': no matching signatures were found\n {2}cosign-(legacy|bundle) /);
        assertExit(await w.bob('verify', 'artifact', image.ref, '--key', 'other.pub', '--key', 'cosign.pub'), 0);
      }
      const attested = await w.bob('verify', 'artifact', legacy2.ref, '--key', 'cosign.pub', '--attestation-type', 'slsaprovenance');
      assertExit(attested, 0);
      assert.match(attested.stdout, /^ {2}cosign: cosign-attestation https:\/\/slsa\.dev\/provenance\/v0\.2 by key cosign\.pub /m);
      const otherType = await w.bob('verify', 'artifact', legacy2.ref, '--key', 'cosign.pub', '--attestation-type', 'cyclonedx');
      assertExit(otherType, 6);
      assert.match(otherType.stderr,
        /^failed to verify the signature using provider 'cosign': no matching attestations of type https:\/\/cyclonedx\.org\/bom were found\n/);
      // bundle3 carries no attestation at all.
      assertExit(await w.bob('verify', 'artifact', bundle3.ref, '--key', 'cosign.pub', '--attestation-type', 'slsaprovenance'), 6);
      // Every provider given must accept: cosign does, policy.json rejects; nothing is printed as verified.
      writeFileSync(join(w.home, 'reject.json'), JSON.stringify({ default: [{ type: 'reject' }] }));
      writeFileSync(join(w.home, 'any.json'), JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
      const both = await w.bob('verify', 'artifact', legacy2.ref, '--key', 'cosign.pub', '--policy', 'reject.json');
      assertExit(both, 6);
      assert.equal(both.stdout, '');
      assert.equal(both.stderr, `failed to verify the signature using provider 'policy': Running image docker://${legacy2.ref} is rejected by policy.\n`);
      const all = await w.bob('verify', 'artifact', legacy2.ref, '--key', 'cosign.pub', '--policy', 'any.json');
      assertExit(all, 0);
      assert.match(all.stdout, /^Verified .*\n {2}cosign: cosign-legacy by key cosign\.pub .*\n {2}policy: accepted without a verified signature \(see warnings\)\n$/);
    });

    it('-o json prints the report: subject, reference, verified and each verdict', async () => {
      const accepted = await w.bob('verify', 'artifact', bundle3.ref, '--key', 'cosign.pub', '-o', 'json');
      assertExit(accepted, 0);
      const report = JSON.parse(accepted.stdout) as Record<string, unknown> & { verdicts: Record<string, unknown>[] };
      assert.deepEqual(Object.keys(report), ['subject', 'reference', 'verified', 'verdicts', 'warnings']);
      assert.deepEqual(report['warnings'], []);
      assert.equal(report['subject'], bundle3.pinned);
      assert.equal(report['reference'], `oci://${bundle3.ref}`);
      assert.equal(report['verified'], true);
      const [verdict] = report.verdicts;
      assert.equal(verdict?.['outcome'], 'verified');
      assert.equal(verdict['provider'], 'cosign');
      const [signature] = verdict['signatures'] as Record<string, unknown>[];
      assert.equal(signature?.['format'], 'cosign-bundle');
      assert.match(String(signature['signer']), /^key cosign\.pub \(sha256:[0-9a-f]{64}\)$/);
      const rejected = await w.bob('verify', 'artifact', unsigned.ref, '--key', 'cosign.pub', '-o', 'yaml');
      assertExit(rejected, 6);
      assert.match(rejected.stdout, /^subject: .*\nreference: .*\nverified: false\nverdicts:\n {2}- outcome: rejected\n {4}provider: cosign\n {4}code: NO_SIGNATURES\n/);
      assert.equal(rejected.stderr, NO_MATCH);
    });

    it('verifies what bobctl generate-key-pair + sign artifact made, in both formats (olareg: referrers API)', async () => {
      const o = await workspace('olareg', 'verify-cli-bobsigned');
      assertExit(await bobctl(['generate-key-pair', '--output-key-prefix', 'bob'], { env: o.env, cwd: o.home }), 0);
      for (const format of ['legacy', 'bundle']) {
        const image = await o.image('cli/verify-bobsigned', format);
        assertExit(await o.bob('verify', 'artifact', image.ref, '--key', 'bob.pub'), 6);
        const signed = await o.bob('sign', 'artifact', image.ref, '--key', 'bob.key', '--format', format);
        assertExit(signed, 0);
        const verified = await o.bob('verify', 'artifact', image.ref, '--key', 'bob.pub');
        assertExit(verified, 0);
        assert.match(verified.stdout, new RegExp(`^  cosign: cosign-${format} by key bob\\.pub `, 'm'));
      }
    });
  });

  it('cosign keyless: the test PKI\'s certificate with a TSA timestamp, anchored identity regexps', async () => {
    const w = await workspace('distribution', 'verify-cli-keyless');
    const pki = createTestPki();
    const tsa = createTestTsa(pki, scratchDir('verify-cli-tsa'));
    try {
      const leaf = pki.issueLeaf({ sans: [{ email: 'dev@corp.com' }], issuer: ISSUER });
      writeFileSync(join(w.home, 'leaf.key'), toPem(leaf.privateKey.export({ type: 'pkcs8', format: 'der' }), 'PRIVATE KEY'));
      writeFileSync(join(w.home, 'leaf.pem'), leaf.pem);
      writeFileSync(join(w.home, 'chain.pem'), pki.chainPem);
      writeFileSync(join(w.home, 'trusted_root.json'), JSON.stringify(pki.trustedRoot()));
      const url = await tsa.serve();
      const cosign3 = async (args: string[]): Promise<RunResult> =>
        run(toolPath('cosign3'), args, { env: { ...w.env, SIGSTORE_ROOT_FILE: join(w.home, 'chain.pem') }, cwd: w.home });
      await cosign3(['import-key-pair', '--key', 'leaf.key', '--output-key-prefix', 'leaf-cosign']);
      const image = await w.image('cli/verify-keyless', 'v1');
      const bundled = await w.image('cli/verify-keyless', 'bundle');
      const sign = ['sign', '--key', 'leaf-cosign.key', '--certificate', 'leaf.pem', '--certificate-chain', 'chain.pem', '--tlog-upload=false',
        '--timestamp-server-url', url, '--use-signing-config=false', '--allow-http-registry', '--yes'];
      await cosign3([...sign, '--new-bundle-format=false', image.pinned]);
      await cosign3([...sign, bundled.pinned]);
      const keyless = (identity: string, issuer = 'https://issuer\\.bob\\.test'): string[] => ['verify', 'artifact', image.ref,
        '--certificate-identity-regexp', identity, '--certificate-oidc-issuer-regexp', issuer,
        '--trusted-root', 'trusted_root.json', '--insecure-ignore-tlog', '--insecure-ignore-sct'];
      const verified = await w.bob(...keyless('.*@corp\\.com'));
      assertExit(verified, 0);
      assert.match(verified.stdout, new RegExp(`^  cosign: cosign-legacy by dev@corp\\.com \\(issuer ${literal(ISSUER)}\\) \\(.*, signed \\d{4}-`, 'm'));
      assertExit(await w.bob('verify', 'artifact', image.ref, '--certificate-identity', 'dev@corp.com', '--certificate-oidc-issuer', ISSUER,
        '--trusted-root', 'trusted_root.json', '--insecure-ignore-tlog', '--insecure-ignore-sct'), 0);
      const wrong = await w.bob(...keyless('ops@corp\\.com'));
      assertExit(wrong, 6);
      assert.match(wrong.stderr, /^failed to verify the signature using provider 'cosign': no matching signatures were found\n {2}cosign-legacy .*: IDENTITY_MISMATCH: /);
      // Anchored: cosign would accept "corp" as a substring of the identity; bob does not.
      assertExit(await w.bob(...keyless('corp')), 6);
      // cosign 3 puts the chain into the v0.3 bundle: refused unless --allow-certificate-chain, as cosign does.
      const bundleArgs = keyless('.*@corp\\.com').map((arg) => (arg === image.ref ? bundled.ref : arg));
      const chain = await w.bob(...bundleArgs);
      assertExit(chain, 6);
      assert.match(chain.stderr, /\n {2}cosign-bundle .*: CERTIFICATE_INVALID: /);
      const allowed = await w.bob(...bundleArgs, '--allow-certificate-chain', '--use-signed-timestamps');
      assertExit(allowed, 0);
      assert.match(allowed.stdout, /^ {2}cosign: cosign-bundle by dev@corp\.com \(issuer https:\/\/issuer\.bob\.test\) /m);
      // The transparency log is required unless ignored: these signatures have none.
      const tlog = await w.bob(...keyless('.*@corp\\.com').filter((flag) => flag !== '--insecure-ignore-tlog'));
      assertExit(tlog, 6);
      assert.match(tlog.stderr, /: TLOG_INVALID: /);
    } finally {
      await tsa.close();
    }
  });

  describe('notation', () => {
    let w: Workspace;
    let notation: (...args: string[]) => Promise<RunResult>;
    const identity = 'x509.subject: C=US, ST=WA, O=Notary';
    const trust = ['--trust-policy', 'trustpolicy.json', '--trust-store', '.config/notation/truststore'];

    before(async () => {
      w = await workspace('zot', 'verify-cli-notation');
      notation = async (...args) => run(toolPath('notation'), args, { env: w.env, cwd: w.home, allowFailure: true });
      assert.equal((await notation('cert', 'generate-test', '--default', 'bob.test')).code, 0);
      writeFileSync(join(w.home, 'trustpolicy.json'), JSON.stringify({
        version: '1.0',
        trustPolicies: [{ name: 'bob-test', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:bob.test'], trustedIdentities: [identity] }],
      }));
      assert.equal((await notation('policy', 'import', '--force', 'trustpolicy.json')).code, 0);
    });

    it('accepts what notation signs and exits 6 for an unsigned image', async () => {
      const signed = await w.image('cli/verify-notation', 'signed');
      const unsigned = await w.image('cli/verify-notation', 'unsigned');
      const made = await notation('sign', '--insecure-registry', '--force-referrers-tag=false', signed.pinned);
      assert.equal(made.code, 0, made.stderr);
      const verified = await w.bob('verify', 'artifact', signed.ref, ...trust);
      assertExit(verified, 0);
      assert.match(verified.stdout, new RegExp(`^  notation: notation-jws by CN=bob\\.test,O=Notary,L=Seattle,ST=WA,C=US \\(referrer ${DIGEST}`, 'm'));
      const rejected = await w.bob('verify', 'artifact', unsigned.ref, ...trust);
      assertExit(rejected, 6);
      // notation's own words, naming the resolved digest.
      assert.equal(rejected.stderr, `failed to verify the signature using provider 'notation': no signature is associated with "${unsigned.pinned}", make sure the artifact was signed successfully\n`);
      const refused = await notation('verify', '--insecure-registry', unsigned.pinned);
      assert.match(refused.stderr, new RegExp(`no signature is associated with "${literal(unsigned.pinned)}", make sure the artifact was signed successfully`));
    });

    it('signs JWS and COSE with --notation-key/--notation-cert; notation verify and bobctl accept both', async () => {
      const localKeys = join('.config', 'notation', 'localkeys');
      for (const format of ['jws', 'cose']) {
        const image = await w.image('cli/verify-notation-bob', format);
        const signed = await w.bob('sign', 'artifact', image.ref, '--notation-key', join(localKeys, 'bob.test.key'),
          '--notation-cert', join(localKeys, 'bob.test.crt'), '--signature-format', format, '--expiry', '24h');
        assertExit(signed, 0);
        assert.match(signed.stdout, new RegExp(`^Signed ${literal(image.pinned)} \\(notation ${format}\\) → ${literal(w.reg.host)}/cli/verify-notation-bob@${DIGEST}\\n$`));
        const accepted = await notation('verify', '--insecure-registry', image.pinned);
        assert.equal(accepted.code, 0, accepted.stderr);
        assert.match(accepted.stdout, /Successfully verified signature/);
        const verified = await w.bob('verify', 'artifact', image.ref, ...trust);
        assertExit(verified, 0);
        assert.match(verified.stdout, new RegExp(`^  notation: notation-${format} by CN=bob\\.test,`, 'm'));
      }
    });
  });

  describe('GPG simple signing and policy.json', () => {
    let w: Workspace;
    let fingerprint: string;
    let signed: PushedImage;
    let unsigned: PushedImage;
    const policyDir = 'policy';
    const policyFlags = ['--policy', join(policyDir, 'policy.json'), '--registries-d', join(policyDir, 'registries.d')];

    const writePolicy = (policy: unknown, name = 'policy.json'): void => {
      writeFileSync(join(w.home, policyDir, name), JSON.stringify(policy));
    };

    before(async () => {
      w = await workspace('distribution', 'verify-cli-gpg');
      const gnupgHome = join(w.home, 'gnupg');
      mkdirSync(gnupgHome, { mode: 0o700 });
      const gpg = async (...args: string[]): Promise<string> => (await run(toolPath('gpg'),
        ['--batch', '--pinentry-mode', 'loopback', '--passphrase', 'gpg-secret', ...args], { env: { ...w.env, GNUPGHOME: gnupgHome } })).stdout;
      await gpg('--quick-gen-key', 'bob signer <signer@example.test>', 'ed25519', 'sign', 'never');
      const found = /^fpr:+([0-9A-F]{40}):/m.exec(await gpg('--with-colons', '--list-secret-keys'))?.[1];
      assert.ok(found !== undefined);
      fingerprint = found;
      writeFileSync(join(w.home, 'signer.asc'), await gpg('--armor', '--export-secret-keys', fingerprint));
      mkdirSync(join(w.home, policyDir, 'registries.d'), { recursive: true });
      writeFileSync(join(w.home, policyDir, 'signer.pub'), await gpg('--armor', '--export', fingerprint));
      writeFileSync(join(w.home, policyDir, 'registries.d', 'default.yaml'), `default-docker:\n  lookaside: file://${join(w.home, 'lookaside')}\n`);
      signed = await w.image('cli/verify-gpg', 'signed');
      unsigned = await w.image('cli/verify-gpg', 'unsigned');
    });

    it('signs into a lookaside directory; skopeo standalone-verify and a signedBy policy accept it', async () => {
      const result = await bobctl(['sign', 'artifact', signed.ref, '--gpg-key', 'signer.asc', '--lookaside', 'lookaside', ...bobctlFlags(w.reg)],
        { env: { ...w.env, BOB_GPG_PASSPHRASE: 'gpg-secret' }, cwd: w.home });
      assertExit(result, 0);
      const file = join(w.home, 'lookaside', `cli/verify-gpg@${signed.digest.replace(':', '=')}`, 'signature-1');
      assert.equal(result.stdout, `Signed ${signed.pinned} (gpg simple-signing) → file://${file}\n`);
      const manifest = join(w.home, 'manifest.json');
      writeFileSync(manifest, (await run(toolPath('skopeo'), ['inspect', '--raw', '--tls-verify=false', `docker://${signed.ref}`], { env: w.env })).stdout);
      const standalone = await run(toolPath('skopeo'), ['standalone-verify', manifest, signed.ref, fingerprint, file],
        { env: { ...w.env, GNUPGHOME: join(w.home, 'gnupg') }, allowFailure: true });
      assert.equal(standalone.code, 0, standalone.stderr);
      assert.match(standalone.stdout, new RegExp(`Signature verified using fingerprint ${fingerprint}, digest ${signed.digest}`));

      writePolicy({ default: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: 'signer.pub' }] });
      const verified = await w.bob('verify', 'artifact', signed.ref, ...policyFlags);
      assertExit(verified, 0);
      assert.equal(verified.stdout, `Verified oci://${signed.ref} (${signed.pinned})\n  policy: simple-signing by GPG ${fingerprint} (file://${file})\n`);
      const rejected = await w.bob('verify', 'artifact', unsigned.ref, ...policyFlags);
      assertExit(rejected, 6);
      assert.equal(rejected.stderr, 'failed to verify the signature using provider \'policy\': A signature was required, but no signature exists\n');
      // A signature claiming another identity: the default signedIdentity (matchRepoDigestOrExact) refuses it.
      const renamed = await w.image('cli/verify-gpg', 'renamed');
      const claimed = await bobctl(['sign', 'artifact', renamed.ref, '--gpg-key', 'signer.asc', '--lookaside', 'lookaside',
        '--signed-identity', `${w.reg.host}/cli/verify-gpg:elsewhere`, ...bobctlFlags(w.reg)], { env: { ...w.env, BOB_GPG_PASSPHRASE: 'gpg-secret' }, cwd: w.home });
      assertExit(claimed, 0);
      const mismatch = await w.bob('verify', 'artifact', renamed.ref, ...policyFlags);
      assertExit(mismatch, 6);
      assert.match(mismatch.stderr, new RegExp(`^failed to verify the signature using provider 'policy': Signature for identity "${literal(w.reg.host)}/cli/verify-gpg:elsewhere" is not accepted\n`));
      // Without a passphrase the protected key cannot sign.
      const locked = await w.bob('sign', 'artifact', unsigned.ref, '--gpg-key', 'signer.asc', '--lookaside', 'lookaside');
      assertExit(locked, 1);
      assert.equal(locked.stderr, 'bobctl sign artifact: the OpenPGP private key is encrypted and no passphrase was given\n');
      // distribution has no signature extension API: a clear refusal, nothing written.
      const extension = await bobctl(['sign', 'artifact', unsigned.ref, '--gpg-key', 'signer.asc', '--signature-extension', ...bobctlFlags(w.reg)],
        { env: { ...w.env, BOB_GPG_PASSPHRASE: 'gpg-secret' }, cwd: w.home });
      assertExit(extension, 1);
      assert.equal(extension.stderr,
        `bobctl sign artifact: ${w.reg.host} does not announce the signature extension API (X-Registry-Supports-Signatures); use --lookaside\n`);
      assertExit(await w.bob('verify', 'artifact', unsigned.ref, ...policyFlags), 6);
    });

    it('reject and insecureAcceptAnything policies; a broken policy.json names the JSON path', async () => {
      writePolicy({ default: [{ type: 'reject' }] }, 'reject.json');
      const rejected = await w.bob('verify', 'artifact', signed.ref, '--policy', join(policyDir, 'reject.json'));
      assertExit(rejected, 6);
      assert.equal(rejected.stderr, `failed to verify the signature using provider 'policy': Running image docker://${signed.ref} is rejected by policy.\n`);
      writePolicy({ default: [{ type: 'insecureAcceptAnything' }] }, 'any.json');
      const accepted = await w.bob('verify', 'artifact', unsigned.ref, '--policy', join(policyDir, 'any.json'));
      assertExit(accepted, 0);
      assert.equal(accepted.stderr, `warning: policy.json default accepts docker://${unsigned.ref} without verifying any signature (insecureAcceptAnything)\n`);
      assert.equal(accepted.stdout, `Verified oci://${unsigned.ref} (${unsigned.pinned})\n  policy: accepted without a verified signature (see warnings)\n`);
      writePolicy({ default: [{ type: 'signedBy', keyType: 'GPGKeys' }] }, 'broken.json');
      const broken = await w.bob('verify', 'artifact', signed.ref, '--policy', join(policyDir, 'broken.json'));
      assertExit(broken, 1);
      assert.equal(broken.stderr, 'bobctl verify artifact: policy.json default[0]: Exactly one of keyPath, keyPaths and keyData must be specified, none of them present\n');
      writeFileSync(join(w.home, policyDir, 'duplicate.json'), '{"default":[{"type":"reject"}],"default":[{"type":"insecureAcceptAnything"}]}');
      const duplicate = await w.bob('verify', 'artifact', signed.ref, '--policy', join(policyDir, 'duplicate.json'));
      assertExit(duplicate, 1);
      assert.match(duplicate.stderr, /default/);
    });
  });

  describe('usage errors', () => {
    let w: Workspace;
    let ref: string;

    before(async () => {
      w = await workspace('distribution', 'verify-cli-usage');
      ref = (await w.image('cli/verify-usage', 'v1')).ref;
      await run(toolPath('cosign2'), ['generate-key-pair'], { env: w.env, cwd: w.home });
    });

    for (const [name, args, message] of [
      ['no provider flags', ['verify', 'artifact', 'REF'], /say how to verify: --key, --certificate-identity\[-regexp\], --trust-policy or --policy/],
      ['--key with --certificate-identity', ['verify', 'artifact', 'REF', '--key', 'cosign.pub', '--certificate-identity', 'a@b.c', '--certificate-oidc-issuer', ISSUER],
        /use either --key or --certificate-identity flags, not both/],
      ['an identity without an issuer', ['verify', 'artifact', 'REF', '--certificate-identity', 'a@b.c'], /keyless verification needs --certificate-oidc-issuer/],
      ['keyless without --trusted-root', ['verify', 'artifact', 'REF', '--certificate-identity', 'a@b.c', '--certificate-oidc-issuer', ISSUER],
        /keyless verification needs --trusted-root/],
      ['--trust-policy without --trust-store', ['verify', 'artifact', 'REF', '--trust-policy', 'trustpolicy.json'], /needs both --trust-policy and --trust-store/],
      ['an unreadable key file', ['verify', 'artifact', 'REF', '--key', 'absent.pub'], /cannot read --key absent\.pub/],
      ['a missing trust store', ['verify', 'artifact', 'REF', '--trust-policy', 'cosign.pub', '--trust-store', 'absent'], /cannot read --trust-store absent: not a directory/],
      ['an unreadable policy', ['verify', 'artifact', 'REF', '--policy', 'absent.json'], /cannot read --policy absent\.json/],
      ['sign: --notation-key without --notation-cert', ['sign', 'artifact', 'REF', '--notation-key', 'k.pem'], /--notation-key needs --notation-cert/],
      ['sign: --gpg-key without a destination', ['sign', 'artifact', 'REF', '--gpg-key', 'k.asc'], /--gpg-key needs exactly one of --lookaside or --signature-extension/],
      ['sign: two signers', ['sign', 'artifact', 'REF', '--key', 'cosign.key', '--gpg-key', 'k.asc'], /choose one signer: --key, --gpg-key/],
      ['sign: a flag of another signer', ['sign', 'artifact', 'REF', '--key', 'cosign.key', '--lookaside', 'dir'], /--lookaside belongs to gpg signing \(--gpg-key\)/],
      ['sign: a --signed-identity that is not a reference', ['sign', 'artifact', 'REF', '--gpg-key', 'k.asc', '--lookaside', 'dir', '--signed-identity', 'Not A Ref'],
        /--signed-identity "Not A Ref" is not a docker reference/],
      ['sign: an unreadable notation key', ['sign', 'artifact', 'REF', '--notation-key', 'k.pem', '--notation-cert', 'c.pem'], /cannot read --notation-key k\.pem/],
    ] as const) {
      it(`exits 2 for ${name}`, async () => {
        const result = await w.bob(...args.map((arg) => (arg === 'REF' ? ref : arg)));
        assertExit(result, 2);
        assert.match(result.stderr, message);
        assert.match(result.stderr, /\nUsage: bobctl (verify|sign) artifact /);
      });
    }

    it('exits 1 for a key that is not a public key', async () => {
      writeFileSync(join(w.home, 'garbage.pub'), 'not a key\n');
      const result = await w.bob('verify', 'artifact', ref, '--key', 'garbage.pub');
      assertExit(result, 1);
      assert.equal(result.stderr, 'bobctl verify artifact: public key garbage.pub: no PEM block found\n');
    });

    it('exits 1 for a trusted root that is not JSON', async () => {
      writeFileSync(join(w.home, 'root.json'), '{');
      const result = await w.bob('verify', 'artifact', ref, '--key', 'cosign.pub', '--trusted-root', 'root.json');
      assertExit(result, 1);
      assert.match(result.stderr, /^bobctl verify artifact: --trusted-root root\.json is not JSON/);
    });

    it('exits 1 for a trusted root with a duplicate key (JSON.parse would keep the last one)', async () => {
      writeFileSync(join(w.home, 'root.json'), '{"mediaType":"a","mediaType":"b"}');
      const result = await w.bob('verify', 'artifact', ref, '--key', 'cosign.pub', '--trusted-root', 'root.json');
      assertExit(result, 1);
      assert.match(result.stderr, /^bobctl verify artifact: --trusted-root root\.json is not JSON: duplicate key "mediaType"/);
    });
  });
});
