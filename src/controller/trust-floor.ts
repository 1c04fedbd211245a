/**
 * The cluster-wide trust floor (operator flags): a containers-policy.json
 * evaluated for every OCIRepository in addition to its own spec.verify.
 * Its key files are read from one trusted directory only (verify/'s
 * createTrustedKeyReader), never from wherever the policy points.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createPolicyVerifier, createTrustedKeyReader, parsePolicy, parseRegistriesD, type Verifier } from '../verify/index.ts';

export interface TrustFloorOptions {
  /** policy.json (`--policy`). */
  readonly policyFile: string;
  /** Directory the policy's keyPath/caPath/... resolve in (`--trusted-keys-dir`). */
  readonly keysDir: string;
  /** Optional registries.d directory (`*.yaml` files). */
  readonly registriesDir?: string;
}

/** The trust floor verifier; throws CONFIG_INVALID (stalling: the operator must fix its flags) for unusable files. */
export async function loadTrustFloor(options: TrustFloorOptions): Promise<Verifier> {
  const policy = parsePolicy(await readFile(options.policyFile));
  let registriesD;
  if (options.registriesDir !== undefined) {
    const dir = options.registriesDir;
    const names = (await readdir(dir)).filter((name) => name.endsWith('.yaml')).sort();
    const files = await Promise.all(names.map(async (name) => ({ name, text: await readFile(join(dir, name), 'utf8') })));
    registriesD = parseRegistriesD(files);
  }
  return createPolicyVerifier({
    policy, readTrustedKey: createTrustedKeyReader(options.keysDir), ...(registriesD === undefined ? {} : { registriesD }),
  });
}
