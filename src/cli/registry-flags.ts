/**
 * The flags every registry verb shares, and the RegistryClient they build:
 *   --creds user:password   credentials for the registry of the reference
 *                           (else the Docker config.json, with its helpers)
 *   --insecure              skip TLS verification
 *   --plain-http            talk HTTP, not HTTPS
 *   --ca-file / --cert-file / --key-file   extra CA, client certificate
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  createCredentialHelperRunner, dockerConfigCredentials, parseReference, RegistryClient, staticCredentials,
  toRegistryEndpoint, type CredentialProvider, type HostOptions, type Reference,
} from '../oci/index.ts';
import { BobError } from '../shared/index.ts';
import { stringFlag, booleanFlag, type FlagValues, type OptionSpecs } from './command.ts';
import type { CliContext } from './context.ts';
import { usageError } from './usage-error.ts';

export const REGISTRY_OPTIONS: OptionSpecs = {
  creds: { type: 'string' },
  insecure: { type: 'boolean' },
  'plain-http': { type: 'boolean' },
  'ca-file': { type: 'string' },
  'cert-file': { type: 'string' },
  'key-file': { type: 'string' },
};

export const REGISTRY_HELP: readonly string[] = [
  '--creds user:password   credentials for the registry of the first reference (default and for other',
  '                        registries: Docker config.json and its credential helpers)',
  '--insecure              do not verify the registry\'s TLS certificate',
  '--plain-http            use HTTP instead of HTTPS',
  '--ca-file path          PEM file of extra CAs to trust for the registry',
  '--cert-file path        PEM client certificate (with --key-file) for mutual TLS',
  '--key-file path         PEM key of the client certificate',
];

/** An `oci://host/repo[:tag][@digest]` argument (the `oci://` is optional). */
export function parseArtifactReference(text: string | undefined, what = 'artifact reference'): Reference {
  if (text === undefined || text === '') throw usageError(`missing ${what}, e.g. oci://registry.example.com/team/app:v1`);
  try {
    return parseReference(text);
  } catch (error) {
    throw usageError(`invalid ${what}`, error);
  }
}

async function readOptionalFile(path: string, flag: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw usageError(`cannot read ${flag} ${path}`, error);
  }
}

async function dockerConfigProvider(context: CliContext): Promise<CredentialProvider | undefined> {
  const configDir = context.env['DOCKER_CONFIG'] ?? join(context.env['HOME'] ?? homedir(), '.docker');
  let bytes: Buffer;
  try {
    bytes = await readFile(join(configDir, 'config.json'));
  } catch {
    return undefined; // no Docker config: anonymous
  }
  try {
    const provider = dockerConfigCredentials(bytes, { helperRunner: createCredentialHelperRunner({ env: context.env }) });
    // One credential-helper run per registry per command, not one per request
    // (a keychain helper may prompt every time).
    const known = new Map<string, ReturnType<CredentialProvider>>();
    return (registry, signal) => {
      let credential = known.get(registry);
      if (credential === undefined) {
        credential = provider(registry, signal);
        known.set(registry, credential);
        credential.catch(() => known.delete(registry));
      }
      return credential;
    };
  } catch (error) {
    throw new BobError('CONFIG_INVALID', `cannot use ${join(configDir, 'config.json')}`, { cause: error, errorClass: 'stalling' });
  }
}

/**
 * --creds belongs to the registry of the first reference only: a verb that
 * reads from one registry and writes to another (link) must not hand one
 * registry's password to the other. Other registries use the Docker config.
 */
async function credentialsFor(flags: FlagValues, registries: readonly string[], context: CliContext): Promise<CredentialProvider | undefined> {
  const fromConfig = await dockerConfigProvider(context);
  const creds = stringFlag(flags, 'creds');
  const [first] = registries;
  if (creds === undefined || first === undefined) return fromConfig;
  const colon = creds.indexOf(':');
  if (colon <= 0) throw usageError('--creds must be user:password');
  const forFirst = staticCredentials({ [first]: { kind: 'basic', username: creds.slice(0, colon), password: creds.slice(colon + 1) } });
  return async (registry, signal) => (registry === first ? forFirst(registry, signal) : fromConfig?.(registry, signal));
}

/** A client for the registries of `references`, configured by the shared flags. */
export async function createRegistryClient(flags: FlagValues, references: readonly Reference[], context: CliContext): Promise<RegistryClient> {
  const registries = [...new Set(references.map((r) => r.registry))];
  const caFile = stringFlag(flags, 'ca-file');
  const certFile = stringFlag(flags, 'cert-file');
  const keyFile = stringFlag(flags, 'key-file');
  if ((certFile === undefined) !== (keyFile === undefined)) throw usageError('--cert-file and --key-file go together');
  const host: HostOptions = {
    plainHttp: booleanFlag(flags, 'plain-http'),
    insecure: booleanFlag(flags, 'insecure'),
    ...(caFile === undefined ? {} : { ca: await readOptionalFile(caFile, '--ca-file') }),
    ...(certFile === undefined || keyFile === undefined
      ? {}
      : { cert: await readOptionalFile(certFile, '--cert-file'), key: await readOptionalFile(keyFile, '--key-file') }),
  };
  const credentials = await credentialsFor(flags, registries, context);
  return new RegistryClient({
    hosts: Object.fromEntries(registries.map((registry) => [toRegistryEndpoint(registry), host])),
    // The extra CA also vouches for the token realm and redirect targets
    // (other origins); --insecure, --plain-http and the client certificate stay
    // with the registry itself.
    ...(host.ca === undefined ? {} : { defaults: { ca: host.ca } }),
    proxyEnv: context.env,
    userAgent: 'bobctl/0.1.0',
    ...(credentials === undefined ? {} : { credentials }),
  });
}
