// Test artifacts made at test time, never downloaded: a minimal but valid OCI
// image (config with rootfs.diff_ids, one gzip layer), pushed with oras.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isolatedEnv, orasFlags } from './peers.ts';
import type { Registry } from './registries.ts';
import { run } from './run.ts';
import { toolPath } from './tools.ts';

export interface PushedImage {
  /** host/repository:tag */
  readonly ref: string;
  /** host/repository@sha256:... */
  readonly pinned: string;
  readonly digest: string;
  readonly repository: string;
}

/** A one-file ustar archive, built by hand so its bytes are fixed. */
export function tarOf(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(data.length.toString(8).padStart(11, '0') + '\0', 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, padding, Buffer.alloc(1024)]);
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export async function pushTestImage(registry: Registry, workDir: string, repository: string, tag: string, content = `hello ${tag}\n`): Promise<PushedImage> {
  const tar = tarOf('hello.txt', content);
  writeFileSync(join(workDir, 'layer.tar.gz'), gzipSync(tar, { level: 9 }));
  writeFileSync(join(workDir, 'config.json'), JSON.stringify({
    architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
  }));
  const ref = `${registry.host}/${repository}:${tag}`;
  const env = isolatedEnv(workDir);
  await run(toolPath('oras'), [
    'push', ...orasFlags(registry), ref,
    '--config', 'config.json:application/vnd.oci.image.config.v1+json',
    'layer.tar.gz:application/vnd.oci.image.layer.v1.tar+gzip',
  ], { env, cwd: workDir });
  const digest = (await run(toolPath('oras'), ['resolve', ...orasFlags(registry), ref], { env, cwd: workDir })).stdout.trim();
  return { ref, pinned: `${registry.host}/${repository}@${digest}`, digest, repository };
}
