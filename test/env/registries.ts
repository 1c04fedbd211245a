// Real registries on loopback:
//  - distribution: Debian's docker-registry 2.8 (no referrers API), plain
//    HTTP, TLS with the environment's CA, htpasswd basic auth or bearer tokens
//    from token-issuer.ts;
//  - zot v1.4.3: the zot release the module proxy here serves; it implements
//    the referrers API of the OCI 1.1 release candidates (artifactType taken
//    from the config media type, filters signalled only by an annotation, no
//    OCI-Subject header on push);
//  - olareg v0.1.2: an OCI 1.1 registry with the final referrers API.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { probe } from './http-probe.ts';
import type { CertificateAuthority } from './pki.ts';
import { createSigningCertificate } from './pki.ts';
import { freePort } from './ports.ts';
import { startProcess, type ManagedProcess } from './processes.ts';
import { run } from './run.ts';
import { startTokenIssuer, type TokenIssuer } from './token-issuer.ts';
import { toolPath } from './tools.ts';

export type RegistryKind = 'distribution' | 'zot' | 'olareg';
export type RegistryAuth = 'none' | 'basic' | 'bearer';

export interface RegistryOptions {
  readonly kind: RegistryKind;
  readonly tls?: boolean;
  readonly auth?: RegistryAuth;
}

export interface Registry {
  readonly kind: RegistryKind;
  readonly tls: boolean;
  readonly auth: RegistryAuth;
  /** 127.0.0.1:<port>, as used in references. */
  readonly host: string;
  /** http(s)://127.0.0.1:<port> */
  readonly url: string;
  /** The CA that signed the registry's certificate (TLS only). */
  readonly caFile?: string;
  readonly username?: string;
  readonly password?: string;
  /** Bearer auth only: the token server, to count token requests. */
  readonly tokenIssuer?: TokenIssuer;
  /** Where the registry keeps its data; tests corrupt it on purpose. */
  readonly storageDir: string;
  readonly logFile: string;
  /** Whether the server offers GET /v2/<name>/referrers/<digest>. */
  readonly referrersApi: boolean;
  stop(): Promise<void>;
}

export const TEST_USERNAME = 'bob';

function yamlString(value: string): string {
  return JSON.stringify(value);
}

async function htpasswdFile(dir: string, username: string, password: string): Promise<string> {
  const file = join(dir, 'htpasswd');
  // distribution accepts bcrypt entries only.
  const { stdout } = await run(toolPath('htpasswd'), ['-nbB', username, password]);
  writeFileSync(file, stdout.trim() + '\n');
  return file;
}

export async function startRegistry(baseDir: string, ca: CertificateAuthority, options: RegistryOptions): Promise<Registry> {
  const tls = options.tls ?? false;
  const auth = options.auth ?? 'none';
  if (auth === 'bearer' && options.kind !== 'distribution') throw new Error('bearer auth is set up for distribution only');
  if (auth !== 'none' && options.kind === 'olareg') throw new Error('olareg has no authentication');
  const name = `${options.kind}-${tls ? 'tls' : 'http'}-${auth}`;
  const dir = join(baseDir, `${name}-${randomBytes(3).toString('hex')}`);
  const storageDir = join(dir, 'storage');
  mkdirSync(storageDir, { recursive: true });
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const url = `${tls ? 'https' : 'http'}://${host}`;
  const cert = tls ? await ca.issueServerCertificate(name) : undefined;
  const password = auth === 'none' ? undefined : randomBytes(12).toString('hex');
  const logFile = join(dir, `${options.kind}.log`);
  let tokenIssuer: TokenIssuer | undefined;
  let command: string;
  let args: string[];

  if (options.kind === 'distribution') {
    const lines = [
      'version: 0.1',
      'log: {level: warn, accesslog: {disabled: true}}',
      `storage: {filesystem: {rootdirectory: ${yamlString(storageDir)}}, delete: {enabled: true}, maintenance: {uploadpurging: {enabled: false}}}`,
      'http:',
      `  addr: ${yamlString(host)}`,
      `  secret: ${randomBytes(16).toString('hex')}`,
    ];
    if (cert !== undefined) lines.push(`  tls: {certificate: ${yamlString(cert.certFile)}, key: ${yamlString(cert.keyFile)}}`);
    if (auth === 'basic' && password !== undefined) {
      lines.push(`auth: {htpasswd: {realm: bob-test, path: ${yamlString(await htpasswdFile(dir, TEST_USERNAME, password))}}}`);
    }
    if (auth === 'bearer' && password !== undefined) {
      const signing = await createSigningCertificate(dir, 'token-signer');
      tokenIssuer = await startTokenIssuer({
        ...signing, service: 'bob-test-registry', issuer: 'bob-test-issuer', username: TEST_USERNAME, password,
        ...(tls ? { tls: await ca.issueServerCertificate(`${name}-token-issuer`) } : {}),
      });
      lines.push(
        'auth:',
        '  token:',
        `    realm: ${yamlString(tokenIssuer.realm)}`,
        '    service: bob-test-registry',
        '    issuer: bob-test-issuer',
        `    rootcertbundle: ${yamlString(signing.certFile)}`,
      );
    }
    const config = join(dir, 'config.yml');
    writeFileSync(config, lines.join('\n') + '\n');
    command = toolPath('docker-registry');
    args = ['serve', config];
  } else if (options.kind === 'zot') {
    const http: Record<string, unknown> = { address: '127.0.0.1', port: String(port) };
    if (cert !== undefined) http['tls'] = { cert: cert.certFile, key: cert.keyFile };
    if (auth === 'basic' && password !== undefined) {
      http['auth'] = { htpasswd: { path: await htpasswdFile(dir, TEST_USERNAME, password) } };
    }
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({
      distSpecVersion: '1.1.0-dev',
      storage: { rootDirectory: storageDir, gc: false, dedupe: false },
      http,
      log: { level: 'error' },
    }, null, 2));
    command = toolPath('zot');
    args = ['serve', config];
  } else {
    command = toolPath('olareg');
    args = ['serve', '--addr', '127.0.0.1', '--port', String(port), '--dir', storageDir, '--api-delete', '--verbosity', 'warn'];
    if (cert !== undefined) args.push('--tls-cert', cert.certFile, '--tls-key', cert.keyFile);
  }

  const caPem = tls ? readFileSync(ca.certFile) : undefined;
  let process: ManagedProcess;
  try {
    process = await startProcess({
      name,
      command,
      args,
      logFile,
      ready: async () => {
        const res = await probe(`${url}/v2/`, caPem === undefined ? {} : { ca: caPem });
        return res.status === 200 || res.status === 401;
      },
    });
  } catch (error) {
    await tokenIssuer?.stop();
    throw error;
  }
  return {
    kind: options.kind,
    tls,
    auth,
    host,
    url,
    ...(tls ? { caFile: ca.certFile } : {}),
    ...(password === undefined ? {} : { username: TEST_USERNAME, password }),
    ...(tokenIssuer === undefined ? {} : { tokenIssuer }),
    storageDir,
    logFile,
    referrersApi: options.kind !== 'distribution',
    async stop() {
      await process.stop();
      await tokenIssuer?.stop();
    },
  };
}
