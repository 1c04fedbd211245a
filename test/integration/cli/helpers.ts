// What the bobctl integration tests share: oras with an isolated HOME, and
// a bob-format artifact pushed with oras (so that these tests do not depend
// on `bobctl push artifact`).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tarOf } from '../../env/fixtures.ts';
import { isolatedEnv, orasFlags } from '../../env/peers.ts';
import type { Registry } from '../../env/registries.ts';
import { run } from '../../env/run.ts';
import { toolPath } from '../../env/tools.ts';

export const BOB_CONFIG = 'application/vnd.k8sstormcenter.bob.config.v1+json';
export const BOB_CONTENT = 'application/vnd.k8sstormcenter.bob.content.v1.tar+gzip';

/** Runs oras against `registry` with HOME at `home`; returns stdout. */
export async function oras(registry: Registry, home: string, ...args: string[]): Promise<string> {
  const [verb = '', ...rest] = args;
  const sub = verb === 'manifest' || verb === 'repo' ? [verb, rest.shift() ?? ''] : [verb];
  return (await run(toolPath('oras'), [...sub, ...orasFlags(registry), ...rest], { env: isolatedEnv(home), cwd: home })).stdout;
}

export interface PushedArtifact {
  readonly ref: string;
  readonly digest: string;
}

/** A bob-format artifact (bob config, one tar+gzip layer, source/revision annotations) at `host/repository:tag`. */
export async function pushBobArtifact(registry: Registry, home: string, repository: string, tag: string, revision = `main@sha1:${'a'.repeat(40)}`): Promise<PushedArtifact> {
  const tar = tarOf('deploy.yaml', `kind: ConfigMap # ${tag}\n`);
  writeFileSync(join(home, 'content.tar.gz'), gzipSync(tar, { level: 9 }));
  writeFileSync(join(home, 'bob-config.json'), JSON.stringify({ created: '2024-05-01T10:00:00Z', rootfs: { type: 'layers', diff_ids: [] } }));
  const ref = `${registry.host}/${repository}:${tag}`;
  await oras(registry, home, 'push', ref,
    '--config', `bob-config.json:${BOB_CONFIG}`,
    '--annotation', 'org.opencontainers.image.source=https://github.com/k8sstormcenter/bob',
    '--annotation', `org.opencontainers.image.revision=${revision}`,
    `content.tar.gz:${BOB_CONTENT}`);
  const digest = (await oras(registry, home, 'resolve', ref)).trim();
  return { ref, digest };
}
