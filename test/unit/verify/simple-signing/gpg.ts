// The real gpg in an isolated GNUPGHOME under the run's scratch directory,
// for making keys and signatures the way skopeo (gpgme) makes them.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../../../env/environment.ts';
import { run } from '../../../env/run.ts';
import { toolPath } from '../../../env/tools.ts';

/** 2020-01-01T00:00:00Z: the "past" of the expiry tests. */
export const T0 = 1_577_836_800;

export interface SignOptions {
  readonly localUser?: string | readonly string[];
  /** Seconds since the epoch gpg believes it is. */
  readonly fakedTime?: number;
  readonly sigExpire?: string;
  readonly extra?: readonly string[];
}

export class Gpg {
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(prefix = 'gpg') {
    const dir = scratchDir(prefix);
    this.home = join(dir, 'gnupg');
    mkdirSync(this.home, { mode: 0o700 });
    this.env = { PATH: process.env['PATH'], HOME: dir, GNUPGHOME: this.home, TMPDIR: dir };
  }

  async gpg(args: readonly string[], options: { fakedTime?: number; input?: string | Buffer } = {}): Promise<Buffer> {
    const faked = options.fakedTime === undefined ? [] : ['--faked-system-time', `${String(options.fakedTime)}!`];
    const out = join(this.home, `out-${String(Math.random()).slice(2)}`);
    await run(toolPath('gpg'), ['--batch', '--yes', '--no-tty', '--passphrase', '', '--pinentry-mode', 'loopback', ...faked, '--output', out, ...args], {
      env: this.env, ...(options.input === undefined ? {} : { input: options.input }),
    });
    try {
      return readFileSync(out);
    } catch {
      return Buffer.alloc(0);
    }
  }

  /** A new key; returns its primary fingerprint. */
  async generateKey(uid: string, options: { usage?: string; expire?: string; fakedTime?: number } = {}): Promise<string> {
    await this.gpg(['--quick-gen-key', uid, 'ed25519', options.usage ?? 'sign', options.expire ?? 'never'],
      options.fakedTime === undefined ? {} : { fakedTime: options.fakedTime });
    const fingerprints = await this.fingerprints(uid);
    const primary = fingerprints[0];
    if (primary === undefined) throw new Error(`no key for ${uid}`);
    return primary;
  }

  /** Adds a signing subkey; returns its fingerprint. */
  async addSigningSubkey(primary: string): Promise<string> {
    await this.gpg(['--quick-add-key', primary, 'ed25519', 'sign', 'never']);
    const all = await this.fingerprints(primary);
    const subkey = all.at(-1);
    if (subkey === undefined || subkey === primary) throw new Error('no subkey');
    return subkey;
  }

  /** Fingerprints (primary first, then subkeys) of the keys matching `selector`. */
  async fingerprints(selector: string): Promise<string[]> {
    const { stdout } = await run(toolPath('gpg'), ['--batch', '--with-colons', '--list-keys', selector], { env: this.env });
    return [...stdout.matchAll(/^fpr:+([0-9A-F]{40,64}):/gm)].map((match) => match[1] ?? '');
  }

  async exportPublic(selector: string, armor = false): Promise<Buffer> {
    return this.gpg([...(armor ? ['--armor'] : []), '--export', selector]);
  }

  async exportSecretArmored(selector: string): Promise<string> {
    return (await this.gpg(['--armor', '--export-secret-keys', selector])).toString('utf8');
  }

  /** `gpg --sign` of `data` (binary, compressed by default), as gpgme's SigModeNormal does. */
  async sign(data: Uint8Array | string, options: SignOptions = {}): Promise<Buffer> {
    const input = join(this.home, `data-${String(Math.random()).slice(2)}`);
    writeFileSync(input, data);
    const users = options.localUser === undefined ? [] : typeof options.localUser === 'string' ? [options.localUser] : options.localUser;
    return this.gpg([
      ...users.flatMap((user) => ['--local-user', user]),
      ...(options.sigExpire === undefined ? [] : ['--default-sig-expire', options.sigExpire]),
      ...(options.extra ?? []),
      '--sign', input,
    ], options.fakedTime === undefined ? {} : { fakedTime: options.fakedTime });
  }

  /** Imports the revocation certificate gpg made when it generated `fingerprint`. */
  async revoke(fingerprint: string): Promise<void> {
    const directory = join(this.home, 'openpgp-revocs.d');
    const file = readdirSync(directory).find((name) => name.startsWith(fingerprint));
    if (file === undefined) throw new Error('no revocation certificate');
    // gpg prefixes the armor line with ':' so the certificate is not imported by accident.
    const certificate = readFileSync(join(directory, file), 'utf8').replace(/^:-----BEGIN/m, '-----BEGIN');
    await this.gpg(['--import'], { input: certificate });
  }
}
