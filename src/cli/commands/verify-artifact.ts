/**
 * `bobctl verify artifact oci://repo:tag --key cosign.pub | --certificate-identity-regexp …
 * | --trust-policy … --trust-store … | --policy policy.json`: the controller's
 * verification engine on the command line. The reference is resolved to a
 * digest once and every provider asked verifies that digest, so what is
 * reported verified is exactly what `pull artifact …@digest` would fetch.
 * Exit 0 when every provider given accepts, 6 when one rejects (the reason
 * and each signature's fate go to stderr), 2 when a trust file or directory
 * cannot be read, 1 when its contents are broken or the registry fails.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { formatReference } from '../../oci/index.ts';
import { BobError } from '../../shared/index.ts';
import {
  createCosignVerifier, createNotationVerifier, createPolicyVerifier, createTrustedKeyReader, DEFAULT_VERIFY_LIMITS, parsePolicy,
  parseRegistriesD, parseStrictJson, StrictJsonError, readTrustStoreDirectory, type CosignIdentity, type NamedPublicKey, type Verdict, type VerificationSubject,
  type Verifier,
} from '../../verify/index.ts';
import { booleanFlag, stringFlag, stringsFlag, type Command, type FlagValues, type OptionSpecs } from '../command.ts';
import type { CliContext } from '../context.ts';
import { EXIT_OK, EXIT_UNTRUSTED } from '../exit-codes.ts';
import { parseOutputFormat, writeStructured } from '../output.ts';
import { toPrintable } from '../printable.ts';
import { createRegistryClient, parseArtifactReference, REGISTRY_HELP, REGISTRY_OPTIONS } from '../registry-flags.ts';
import { readFlagFile, resolveFlagPath } from '../flag-files.ts';
import { usageError } from '../usage-error.ts';

interface ProviderEntry {
  readonly name: string;
  /** Flags that select this provider (any one of them). */
  readonly flags: readonly string[];
  readonly options: OptionSpecs;
  readonly help: readonly string[];
  build(flags: FlagValues, context: CliContext): Promise<Verifier>;
}

const COSIGN_IDENTITY_FLAGS = ['certificate-identity', 'certificate-identity-regexp', 'certificate-oidc-issuer', 'certificate-oidc-issuer-regexp'] as const;

/** One identity from cosign's four flags; both a subject and an issuer rule are required, as cosign requires. */
function toCosignIdentity(flags: FlagValues): CosignIdentity | undefined {
  const [subject, subjectRegExp, issuer, issuerRegExp] = COSIGN_IDENTITY_FLAGS.map((flag) => stringFlag(flags, flag));
  if ([subject, subjectRegExp, issuer, issuerRegExp].every((value) => value === undefined)) return undefined;
  if (subject === undefined && subjectRegExp === undefined) {
    throw usageError('keyless verification needs --certificate-identity or --certificate-identity-regexp');
  }
  if (issuer === undefined && issuerRegExp === undefined) {
    throw usageError('keyless verification needs --certificate-oidc-issuer or --certificate-oidc-issuer-regexp');
  }
  return {
    ...(subject === undefined ? {} : { subject }), ...(subjectRegExp === undefined ? {} : { subjectRegExp }),
    ...(issuer === undefined ? {} : { issuer }), ...(issuerRegExp === undefined ? {} : { issuerRegExp }),
  };
}

const cosignProvider: ProviderEntry = {
  name: 'cosign',
  flags: ['key', ...COSIGN_IDENTITY_FLAGS, 'trusted-root', 'attestation-type'],
  options: {
    key: { type: 'string', multiple: true },
    'certificate-identity': { type: 'string' },
    'certificate-identity-regexp': { type: 'string' },
    'certificate-oidc-issuer': { type: 'string' },
    'certificate-oidc-issuer-regexp': { type: 'string' },
    'trusted-root': { type: 'string' },
    'attestation-type': { type: 'string', multiple: true },
    'insecure-ignore-tlog': { type: 'boolean' },
    'insecure-ignore-sct': { type: 'boolean' },
    'allow-certificate-chain': { type: 'boolean' },
    'use-signed-timestamps': { type: 'boolean' },
  },
  help: [
    'cosign:',
    '  --key path                      public key (PEM); repeatable, any key may match',
    '  --certificate-identity[-regexp] keyless: the signer (SAN); regexps are anchored',
    '  --certificate-oidc-issuer[-regexp] keyless: the OIDC issuer; regexps are anchored',
    '  --trusted-root path             trusted_root.json (CAs, transparency logs, TSAs)',
    '  --attestation-type t            also require a verified attestation of this predicate',
    '                                  type (cosign --type names or a URI); repeatable',
    '  --insecure-ignore-tlog          do not require transparency-log proof (implied for',
    '                                  --key without --trusted-root, as the controller does)',
    '  --insecure-ignore-sct           keyless: do not require an embedded SCT',
    '  --allow-certificate-chain       accept bundles carrying a certificate chain',
    '  --use-signed-timestamps         require an RFC 3161 timestamp',
  ],
  async build(flags, context) {
    const keyPaths = stringsFlag(flags, 'key');
    const identity = toCosignIdentity(flags);
    if (keyPaths.length > 0 && identity !== undefined) throw usageError('use either --key or --certificate-identity flags, not both');
    if (keyPaths.length === 0 && identity === undefined) throw usageError('cosign verification needs --key or --certificate-identity[-regexp]');
    const publicKeys: NamedPublicKey[] = [];
    for (const path of keyPaths) publicKeys.push({ name: basename(path), pem: (await readFlagFile(context, 'key', path)).toString('utf8') });
    const rootPath = stringFlag(flags, 'trusted-root');
    // bobctl never fetches the public-good Sigstore root (TUF): keyless trust is always explicit.
    if (identity !== undefined && rootPath === undefined) throw usageError('keyless verification needs --trusted-root (trusted_root.json)');
    let trustedRoot: unknown;
    if (rootPath !== undefined) {
      const bytes = await readFlagFile(context, 'trusted-root', rootPath);
      try {
        // Strict (duplicate keys, trailing data, invalid UTF-8 refused), as cosign's protojson reads it.
        trustedRoot = parseStrictJson(bytes);
      } catch (error) {
        // Broken trust material, like a broken policy.json: exit 1, not a usage error.
        const detail = error instanceof StrictJsonError ? `: ${error.message}` : '';
        throw new BobError('CONFIG_INVALID', `--trusted-root ${rootPath} is not JSON${detail}`, { cause: error, errorClass: 'stalling' });
      }
    }
    // Offline keyed verification without a trusted root has no Rekor keys to check a proof with: Flux's keyed mode.
    const ignoreTlog = booleanFlag(flags, 'insecure-ignore-tlog') || (identity === undefined && trustedRoot === undefined);
    return createCosignVerifier({
      ...(publicKeys.length > 0 ? { publicKeys } : {}),
      ...(identity === undefined ? {} : { keyless: { identities: [identity] } }),
      ...(trustedRoot === undefined ? {} : { trustedRoot }),
      attestations: stringsFlag(flags, 'attestation-type'),
      ignoreTlog,
      ignoreSct: booleanFlag(flags, 'insecure-ignore-sct'),
      allowCertificateChain: booleanFlag(flags, 'allow-certificate-chain'),
      useSignedTimestamps: booleanFlag(flags, 'use-signed-timestamps'),
    });
  },
};

const notationProvider: ProviderEntry = {
  name: 'notation',
  flags: ['trust-policy', 'trust-store'],
  options: {
    'trust-policy': { type: 'string' },
    'trust-store': { type: 'string' },
  },
  help: [
    'notation:',
    '  --trust-policy path             trustpolicy.json or trustpolicy.oci.json',
    '  --trust-store dir               notation trust store (the dir holding x509/<type>/<name>/)',
  ],
  async build(flags, context) {
    const policyPath = stringFlag(flags, 'trust-policy');
    const storeDir = stringFlag(flags, 'trust-store');
    if (policyPath === undefined || storeDir === undefined) throw usageError('notation verification needs both --trust-policy and --trust-store');
    const trustPolicy = await readFlagFile(context, 'trust-policy', policyPath);
    // readTrustStoreDirectory treats a missing x509/<type> as empty: a mistyped directory must not read as "no stores".
    const storePath = resolveFlagPath(context, storeDir);
    const isDirectory = await stat(storePath).then((info) => info.isDirectory(), () => false);
    if (!isDirectory) throw usageError(`cannot read --trust-store ${storeDir}: not a directory`);
    return createNotationVerifier({ trustPolicy, trustStore: await readTrustStoreDirectory(storePath) });
  },
};

const policyProvider: ProviderEntry = {
  name: 'policy',
  flags: ['policy'],
  options: {
    policy: { type: 'string' },
    'registries-d': { type: 'string' },
    'trusted-keys-dir': { type: 'string' },
  },
  help: [
    'containers-policy.json:',
    '  --policy path                   policy.json (podman/skopeo format)',
    '  --registries-d dir              registries.d: lookaside and use-sigstore-attachments',
    '  --trusted-keys-dir dir          where keyPath files may be read (default: the policy\'s dir)',
  ],
  async build(flags, context) {
    const policyPath = stringFlag(flags, 'policy') ?? '';
    const policy = parsePolicy(await readFlagFile(context, 'policy', policyPath));
    const registriesDir = stringFlag(flags, 'registries-d');
    const keysDir = resolveFlagPath(context, stringFlag(flags, 'trusted-keys-dir') ?? dirname(policyPath));
    return createPolicyVerifier({
      policy,
      readTrustedKey: createTrustedKeyReader(keysDir),
      ...(registriesDir === undefined ? {} : { registriesD: parseRegistriesD(await readRegistriesD(context, registriesDir)) }),
    });
  },
};

/** Every `*.yaml` of a registries.d directory, in name order (containers-registries.d(5)). */
async function readRegistriesD(context: CliContext, dir: string): Promise<{ name: string; text: string }[]> {
  const path = resolveFlagPath(context, dir);
  let names: string[];
  try {
    names = (await readdir(path)).filter((name) => name.endsWith('.yaml')).sort();
  } catch (error) {
    throw usageError(`cannot read --registries-d ${dir}`, error);
  }
  return Promise.all(names.map(async (name) => ({ name, text: await readFile(join(path, name), 'utf8') })));
}

const PROVIDERS: readonly ProviderEntry[] = [cosignProvider, notationProvider, policyProvider];

/** What `-o json|yaml` prints. */
export interface VerifyReport {
  /** `registry/repository@digest` that was verified. */
  readonly subject: string;
  readonly reference: string;
  readonly verified: boolean;
  readonly verdicts: readonly Verdict[];
  /** Every warning of every provider, once each (also on stderr). */
  readonly warnings: readonly string[];
}

/** Rejections go to stderr; accepted signatures to stdout, and only when every provider accepted. */
function writeVerdict(context: CliContext, verdict: Verdict): void {
  const out = (line: string): void => { context.stdout.write(`${toPrintable(line)}\n`); };
  if (verdict.outcome === 'rejected') {
    context.stderr.write(`failed to verify the signature using provider '${verdict.provider}': ${toPrintable(verdict.reason)}\n`);
    for (const attempt of verdict.attempts) {
      context.stderr.write(`  ${attempt.format} ${toPrintable(attempt.source)}: ${attempt.code}: ${toPrintable(attempt.reason)}\n`);
    }
    return;
  }
  if (verdict.signatures.length === 0) {
    out(`  ${verdict.provider}: accepted without a verified signature (see warnings)`);
    return;
  }
  for (const signature of verdict.signatures) {
    const what = signature.predicateType === undefined ? signature.format : `${signature.format} ${signature.predicateType}`;
    const when = signature.signedAt === undefined ? '' : `, signed ${signature.signedAt.toISOString()}`;
    out(`  ${verdict.provider}: ${what} by ${signature.signer} (${signature.source}${when})`);
  }
}

export const verifyArtifact: Command = {
  name: 'verify artifact',
  summary: 'Verify an artifact\'s signatures with cosign keys or identities, a notation trust policy or a policy.json',
  usage: 'verify artifact oci://<registry>/<repository>[:tag|@digest] (cosign | notation | policy flags) [flags]',
  help: [
    ...PROVIDERS.flatMap((provider) => provider.help),
    'Several providers may be given; each must accept. Exit 6 when one rejects.',
    '-o, --output format             json or yaml instead of text',
    ...REGISTRY_HELP,
  ],
  options: {
    ...REGISTRY_OPTIONS,
    ...Object.assign({}, ...PROVIDERS.map((provider) => provider.options)) as OptionSpecs,
    output: { type: 'string', short: 'o' },
  },
  async run(parsed, context) {
    const [text, ...extra] = parsed.positionals;
    if (extra.length > 0) throw usageError('verify artifact takes one artifact reference');
    const reference = parseArtifactReference(text);
    const output = parseOutputFormat(stringFlag(parsed.flags, 'output'));
    const chosen = PROVIDERS.filter((provider) => provider.flags.some((flag) => parsed.flags[flag] !== undefined));
    if (chosen.length === 0) throw usageError('say how to verify: --key, --certificate-identity[-regexp], --trust-policy or --policy');
    // Trust material first: a broken key or policy costs no registry round trip.
    const verifiers = await Promise.all(chosen.map(async (provider) => provider.build(parsed.flags, context)));
    const client = await createRegistryClient(parsed.flags, [reference], context);
    const verdicts: Verdict[] = [];
    // Some findings reach only the context (a lookaside's odd Content-Type), others also the verdict: print each once.
    const warnings = new Set<string>();
    const warn = (message: string): void => { warnings.add(message); };
    let subject: VerificationSubject;
    try {
      const descriptor = await client.resolve(reference, { signal: context.signal });
      subject = { reference, descriptor };
      for (const verifier of verifiers) {
        const verdict = await verifier.verify(subject, {
          client, signal: context.signal, now: () => new Date(), limits: DEFAULT_VERIFY_LIMITS, warn,
        });
        if (verdict.outcome === 'verified') for (const warning of verdict.warnings) warn(warning);
        verdicts.push(verdict);
      }
    } finally {
      await client.close();
    }
    const verified = verdicts.every((verdict) => verdict.outcome === 'verified');
    const pinned = `${reference.registry}/${reference.repository}@${subject.descriptor.digest}`;
    const report: VerifyReport = {
      subject: pinned, reference: `oci://${formatReference(reference)}`, verified, verdicts, warnings: [...warnings],
    };
    for (const warning of warnings) context.stderr.write(`warning: ${toPrintable(warning)}\n`);
    await writeStructured(context.stdout, output, report, () => {
      if (verified) context.stdout.write(`Verified ${toPrintable(report.reference)} (${pinned})\n`);
      if (verified) for (const verdict of verdicts) writeVerdict(context, verdict);
    });
    for (const verdict of verdicts) if (verdict.outcome === 'rejected') writeVerdict(context, verdict);
    return verified ? EXIT_OK : EXIT_UNTRUSTED;
  },
};
