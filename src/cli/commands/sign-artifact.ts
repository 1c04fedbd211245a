/**
 * `bobctl sign artifact oci://repo:tag --key cosign.key [--format bundle|legacy]`:
 * resolves the reference to a digest (the digest is what gets signed, as
 * cosign warns tags are mutable), signs it and stores the signature next to
 * the artifact. The format defaults to `bundle`, cosign 3's default; `legacy`
 * writes the `sha256-<hex>.sig` tag that cosign 2 and containers/image read.
 * Offline: no transparency log entry, so verify with
 * `cosign verify --key cosign.pub --insecure-ignore-tlog=true`.
 *
 * Signers are a table: each owns its flags and is chosen when its key flag
 * is present, so other signature systems (notation `--notation-key`, GPG
 * `--gpg-key`) are added as another entry without touching cosign's.
 */
import { readFile } from 'node:fs/promises';
import type { OptionSpecs } from '../command.ts';
import { parseReference, type Descriptor, type RegistryClient } from '../../oci/index.ts';
import { pathToFileURL } from 'node:url';
import { BobError, digestOf } from '../../shared/index.ts';
import {
  putExtensionSignature, readPrivateKey, signArtifactWithCosign, signNotation, signSimpleSigning, writeLookasideSignature,
  type CosignSignFormat, type NotationSignatureFormat, type VerificationSubject,
} from '../../verify/index.ts';
import { stringFlag, type Command, type FlagValues } from '../command.ts';
import type { CliContext } from '../context.ts';
import { EXIT_OK } from '../exit-codes.ts';
import { parseOutputFormat, writeStructured } from '../output.ts';
import { createRegistryClient, parseArtifactReference, REGISTRY_HELP, REGISTRY_OPTIONS } from '../registry-flags.ts';
import { readFlagFile, resolveFlagPath } from '../flag-files.ts';
import { usageError } from '../usage-error.ts';
import { readKeyPassword } from './generate-key-pair.ts';

/** One signature made, as printed and as `-o json|yaml` gives it. */
export interface SignedArtifact {
  /** `registry/repository@digest` that was signed. */
  readonly subject: string;
  readonly signer: string;
  readonly format: string;
  /** Where the signature is stored (a tag or a referrer digest). */
  readonly location: string;
  /** Digest of the signature manifest. */
  readonly signature: string;
  /** `existing`: this key had already signed it there, nothing was pushed. */
  readonly outcome: 'pushed' | 'existing';
}

interface PreparedSigner {
  readonly name: string;
  readonly format: string;
  sign(client: RegistryClient, subject: VerificationSubject, signal: AbortSignal): Promise<Omit<SignedArtifact, 'subject' | 'signer' | 'format'>>;
}

interface SignerEntry {
  readonly name: string;
  readonly options: OptionSpecs;
  readonly help: readonly string[];
  /** The flag that selects this signer. */
  readonly keyFlag: string;
  /** Flags that only make sense with this signer. */
  readonly ownFlags: readonly string[];
  prepare(flags: FlagValues, context: CliContext): Promise<PreparedSigner>;
}

const COSIGN_FORMATS: readonly CosignSignFormat[] = ['bundle', 'legacy'];

const cosignSigner: SignerEntry = {
  name: 'cosign',
  keyFlag: 'key',
  ownFlags: ['format'],
  options: {
    key: { type: 'string' },
    format: { type: 'string' },
  },
  help: [
    '--key path              cosign private key (cosign.key, password from $COSIGN_PASSWORD, a prompt or',
    '                        stdin; or an unencrypted PEM PKCS#8 key)',
    '--format f              cosign signature layout: bundle (default, cosign 3: Sigstore bundle referrer)',
    '                        or legacy (cosign 2: the sha256-<hex>.sig tag)',
  ],
  async prepare(flags, context) {
    const format = stringFlag(flags, 'format') ?? 'bundle';
    const known = COSIGN_FORMATS.find((f) => f === format);
    if (known === undefined) throw usageError(`unknown --format "${format.slice(0, 40)}": use bundle or legacy`);
    const keyFlag = stringFlag(flags, 'key') ?? '';
    if (keyFlag === '') throw usageError('--key must name a private key file');
    const path = resolveFlagPath(context, keyFlag);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw usageError(`cannot read --key ${keyFlag}`, error);
    }
    const privateKey = await readPrivateKey(text, async () => readKeyPassword(context, { confirm: false, prompt: 'Enter password for private key: ' }));
    return {
      name: 'cosign',
      format: known,
      async sign(client, subject, signal) {
        const signed = await signArtifactWithCosign(client, subject, { privateKey, format: known, signal });
        return { location: signed.location, signature: signed.manifest.digest, outcome: signed.outcome };
      },
    };
  },
};

async function readNamedFile(context: CliContext, flags: FlagValues, flag: string): Promise<Buffer> {
  return readFlagFile(context, flag, stringFlag(flags, flag) ?? '');
}

const NOTATION_FORMATS: readonly NotationSignatureFormat[] = ['jws', 'cose'];

const notationSigner: SignerEntry = {
  name: 'notation',
  keyFlag: 'notation-key',
  ownFlags: ['notation-cert', 'signature-format', 'expiry'],
  options: {
    'notation-key': { type: 'string' },
    'notation-cert': { type: 'string' },
    'signature-format': { type: 'string' },
    expiry: { type: 'string' },
  },
  help: [
    '--notation-key path     notation signing key (PEM, unencrypted); needs --notation-cert',
    '--notation-cert path    its certificate chain (PEM, leaf first, ending at the root)',
    '--signature-format f    notation envelope: jws (default) or cose',
    '--expiry duration       notation: the signature expires after this long (e.g. 24h, 30m)',
  ],
  async prepare(flags, context) {
    const format = stringFlag(flags, 'signature-format') ?? 'jws';
    const known = NOTATION_FORMATS.find((f) => f === format);
    if (known === undefined) throw usageError(`unknown --signature-format "${format.slice(0, 40)}": use jws or cose`);
    if (stringFlag(flags, 'notation-cert') === undefined) throw usageError('--notation-key needs --notation-cert');
    const notationKey = await readNamedFile(context, flags, 'notation-key');
    const notationCert = await readNamedFile(context, flags, 'notation-cert');
    const expiryText = stringFlag(flags, 'expiry');
    const expiryMs = expiryText === undefined ? undefined : toDurationMs(expiryText);
    return {
      name: 'notation',
      format: known,
      async sign(client, subject, signal) {
        const signed = await signNotation({
          client, signal, subject, notationKey, notationCert, signatureFormat: known,
          ...(expiryMs === undefined ? {} : { expiry: new Date(Date.now() + expiryMs) }),
        });
        // Named like cosign's bundle referrer: the signature manifest in the subject's repository.
        const location = `${subject.reference.registry}/${subject.reference.repository}@${signed.descriptor.digest}`;
        return { location, signature: signed.descriptor.digest, outcome: 'pushed' };
      },
    };
  },
};

/** `--expiry`: a Go-style duration of hours, minutes and seconds (notation's flag). */
function toDurationMs(text: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  const [, hours = '0', minutes = '0', seconds = '0'] = match ?? [];
  const total = ((Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000;
  if (match === null || text === '' || total <= 0) throw usageError(`invalid --expiry "${text.slice(0, 40)}": use e.g. 24h, 90m or 3600s`);
  return total;
}

const gpgSigner: SignerEntry = {
  name: 'gpg',
  keyFlag: 'gpg-key',
  ownFlags: ['lookaside', 'signature-extension', 'signed-identity'],
  options: {
    'gpg-key': { type: 'string' },
    lookaside: { type: 'string' },
    'signature-extension': { type: 'boolean' },
    'signed-identity': { type: 'string' },
  },
  help: [
    '--gpg-key path          GPG simple signing: ASCII-armored private key (passphrase from',
    '                        $BOB_GPG_PASSPHRASE when it is protected); needs --lookaside or',
    '                        --signature-extension',
    '--lookaside dir|file:// where to write the signature (containers-registries.d lookaside-staging)',
    '--signature-extension   store it with the registry\'s signature extension API instead',
    '--signed-identity ref   the docker-reference claimed (default: the reference as given)',
  ],
  async prepare(flags, context) {
    const lookaside = stringFlag(flags, 'lookaside');
    const extension = flags['signature-extension'] === true;
    if ((lookaside === undefined) === !extension) throw usageError('--gpg-key needs exactly one of --lookaside or --signature-extension');
    const identity = stringFlag(flags, 'signed-identity');
    if (identity !== undefined) assertDockerReference(identity);
    const privateKeyArmored = (await readNamedFile(context, flags, 'gpg-key')).toString('utf8');
    const passphrase = context.env['BOB_GPG_PASSPHRASE'];
    const base = lookaside === undefined ? undefined : toLookasideBase(context, lookaside);
    return {
      name: 'gpg',
      format: 'simple-signing',
      async sign(client, subject, signal) {
        const blob = await signSimpleSigning({
          manifestDigest: subject.descriptor.digest,
          dockerReference: identity ?? toSignedIdentity(subject),
          privateKeyArmored,
          ...(passphrase === undefined ? {} : { passphrase }),
        });
        if (base !== undefined) {
          const written = await writeLookasideSignature(base, subject, blob);
          return { location: written.url, signature: digestOf(blob), outcome: 'pushed' };
        }
        // Most registries lack the extension; say so instead of surfacing a bare 404 from the PUT.
        if (!(await client.supportsSignatureExtension(subject.reference.registry, { signal }))) {
          throw new BobError('SIGNATURE_EXTENSION_UNSUPPORTED',
            `${subject.reference.registry} does not announce the signature extension API (X-Registry-Supports-Signatures); use --lookaside`,
            { errorClass: 'stalling' });
        }
        const name = await putExtensionSignature(client, subject, blob, signal);
        return { location: `signature extension ${name}`, signature: digestOf(blob), outcome: 'pushed' };
      },
    };
  },
};

/** `--signed-identity`: a docker reference without a scheme, checked before any key or registry is touched. */
function assertDockerReference(value: string): void {
  if (value.includes('://')) throw usageError('--signed-identity is a docker reference without a scheme, e.g. registry.example/team/app:v1');
  try {
    parseReference(value);
  } catch (error) {
    throw usageError(`--signed-identity "${value.slice(0, 200)}" is not a docker reference`, error);
  }
}

/** A directory or a `file://` URL: simple signatures are written locally, then published by whatever serves them. */
function toLookasideBase(context: CliContext, value: string): string {
  if (value.startsWith('file://')) return value;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) throw usageError('--lookaside must be a directory or a file:// URL (bob writes signatures locally)');
  return pathToFileURL(resolveFlagPath(context, value)).href;
}

/** The identity skopeo would sign: the reference as the user gave it (a tag when there is one). */
function toSignedIdentity(subject: VerificationSubject): string {
  const name = `${subject.reference.registry}/${subject.reference.repository}`;
  if (subject.reference.tag !== undefined) return `${name}:${subject.reference.tag}`;
  return `${name}@${subject.descriptor.digest}`;
}

/** Every signer bobctl knows; the one whose key flag is given signs. */
const SIGNERS: readonly SignerEntry[] = [cosignSigner, notationSigner, gpgSigner];

function selectSigner(flags: FlagValues): SignerEntry {
  const chosen = SIGNERS.filter((signer) => flags[signer.keyFlag] !== undefined);
  if (chosen.length > 1) throw usageError(`choose one signer: ${chosen.map((s) => `--${s.keyFlag}`).join(', ')}`);
  const [signer] = chosen;
  if (signer === undefined) throw usageError(`a signing key is required: ${SIGNERS.map((s) => `--${s.keyFlag}`).join(' or ')}`);
  for (const other of SIGNERS) {
    if (other === signer) continue;
    const stray = other.ownFlags.find((flag) => flags[flag] !== undefined);
    if (stray !== undefined) throw usageError(`--${stray} belongs to ${other.name} signing (--${other.keyFlag})`);
  }
  return signer;
}

function toSubjectText(subject: VerificationSubject): string {
  return `${subject.reference.registry}/${subject.reference.repository}@${subject.descriptor.digest}`;
}

export const signArtifact: Command = {
  name: 'sign artifact',
  summary: 'Sign an artifact in a registry with a cosign key, a notation key or a GPG key (the resolved digest is signed)',
  usage: 'sign artifact oci://<registry>/<repository>[:tag|@digest] --key cosign.key | --notation-key k --notation-cert c | --gpg-key k [flags]',
  help: [
    ...SIGNERS.flatMap((s) => s.help),
    '-o, --output format     json or yaml instead of one line',
    ...REGISTRY_HELP,
  ],
  options: {
    ...REGISTRY_OPTIONS,
    ...Object.assign({}, ...SIGNERS.map((s) => s.options)) as OptionSpecs,
    output: { type: 'string', short: 'o' },
  },
  async run(parsed, context) {
    const [text, ...extra] = parsed.positionals;
    if (extra.length > 0) throw usageError('sign artifact takes one artifact reference');
    const source = parseArtifactReference(text);
    const output = parseOutputFormat(stringFlag(parsed.flags, 'output'));
    const entry = selectSigner(parsed.flags);
    // The key (and its password) first: a wrong password costs no registry round trip.
    const signer = await entry.prepare(parsed.flags, context);
    const client = await createRegistryClient(parsed.flags, [source], context);
    let result: SignedArtifact;
    try {
      const descriptor: Descriptor = await client.resolve(source, { signal: context.signal });
      const subject: VerificationSubject = { reference: source, descriptor };
      const signed = await signer.sign(client, subject, context.signal);
      result = { subject: toSubjectText(subject), signer: signer.name, format: signer.format, ...signed };
    } finally {
      await client.close();
    }
    await writeStructured(context.stdout, output, result, () => {
      const note = result.outcome === 'existing' ? ' (already signed with this key)' : '';
      context.stdout.write(`Signed ${result.subject} (${result.signer} ${result.format}) → ${result.location}${note}\n`);
    });
    return EXIT_OK;
  },
};
