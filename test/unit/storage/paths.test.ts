// reliability.md §6 row 40 on the writing side: namespaces and names become
// path segments only when they are DNS-1123 labels / subdomains, and no
// symlink below the root can redirect a write.
import assert from 'node:assert/strict';
import { lstat, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertObjectKey } from '../../../src/storage/index.ts';
import type { ObjectKey } from '../../../src/storage/index.ts';
import { KEY, rejectsWithCode, storeAt, useScratch, writerOf } from './helpers.ts';

const INVALID_KEYS: readonly [string, ObjectKey][] = [
  ['name ..', { namespace: 'apps', name: '..' }],
  ['name .', { namespace: 'apps', name: '.' }],
  ['name ../x', { namespace: 'apps', name: '../x' }],
  ['name with slash', { namespace: 'apps', name: 'a/b' }],
  ['name with backslash', { namespace: 'apps', name: 'a\\b' }],
  ['name with NUL', { namespace: 'apps', name: 'a\0b' }],
  ['name percent-encoded dots', { namespace: 'apps', name: '%2e%2e' }],
  ['name uppercase', { namespace: 'apps', name: 'Podinfo' }],
  ['name empty label (a..b)', { namespace: 'apps', name: 'a..b' }],
  ['name leading dot', { namespace: 'apps', name: '.hidden' }],
  ['name leading dash', { namespace: 'apps', name: '-a' }],
  ['name trailing dash', { namespace: 'apps', name: 'a-' }],
  ['name empty', { namespace: 'apps', name: '' }],
  ['name 254 characters', { namespace: 'apps', name: `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}` }],
  ['name label of 64', { namespace: 'apps', name: 'a'.repeat(64) }],
  ['name with space', { namespace: 'apps', name: 'a b' }],
  ['name unicode', { namespace: 'apps', name: 'caf\u00e9' }],
  ['namespace with dot', { namespace: 'a.b', name: 'podinfo' }],
  ['namespace ..', { namespace: '..', name: 'podinfo' }],
  ['namespace 64 characters', { namespace: 'n'.repeat(64), name: 'podinfo' }],
  ['namespace uppercase', { namespace: 'Apps', name: 'podinfo' }],
  ['namespace empty', { namespace: '', name: 'podinfo' }],
  ['namespace not a string', { namespace: 7 as unknown as string, name: 'podinfo' }],
];

const VALID_KEYS: readonly ObjectKey[] = [
  { namespace: 'a', name: 'b' },
  { namespace: 'n'.repeat(63), name: 'podinfo' },
  { namespace: 'flux-system', name: 'podinfo.v2-prod' },
  { namespace: 'apps', name: `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}` },
  { namespace: '0', name: '9' },
];

describe('storage/paths', () => {
  let root = '';
  useScratch((dir) => { root = join(dir, 'data'); });

  for (const [label, key] of INVALID_KEYS) {
    it(`refuses ${label} with STORAGE_PATH_INVALID (stalling) and creates nothing`, async () => {
      const field = typeof key.namespace === 'string' && /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(key.namespace) ? 'name' : 'namespace';
      assert.throws(() => { assertObjectKey(key); }, { code: 'STORAGE_PATH_INVALID', errorClass: 'stalling', details: { field } });
      const store = storeAt(root);
      await rejectsWithCode(store.store(key, writerOf('x')), 'STORAGE_PATH_INVALID');
      await rejectsWithCode(store.garbageCollect(key, { keep: 0, ttlMs: 0 }), 'STORAGE_PATH_INVALID');
      await rejectsWithCode(store.remove(key), 'STORAGE_PATH_INVALID');
      await rejectsWithCode(store.verify(key, { path: 'x', digest: 'y' }), 'STORAGE_PATH_INVALID');
      await assert.rejects(lstat(root), { code: 'ENOENT' });
    });
  }

  it('accepts DNS-1123 labels and subdomains up to their limits', async () => {
    const store = storeAt(root);
    for (const key of VALID_KEYS) {
      const artifact = await store.store(key, writerOf('x'));
      assert.ok(artifact.path.startsWith(`ocirepository/${key.namespace}/${key.name}/`));
    }
  });

  it('refuses to write through a namespace directory that is a symlink leading elsewhere', async () => {
    const outside = join(root, '..', 'outside');
    await mkdir(outside);
    await mkdir(join(root, 'ocirepository'), { recursive: true });
    await symlink(outside, join(root, 'ocirepository', 'apps'));
    const store = storeAt(root);
    await rejectsWithCode(store.store(KEY, writerOf('x')), 'STORAGE_PATH_INVALID');
    assert.deepEqual(await readdir(outside), [], 'nothing is created through the link');
    // Where the link leads to something that looks like an object directory, nothing is read or deleted there.
    const victim = `${'0'.repeat(64)}.tar.gz`;
    await mkdir(join(outside, 'podinfo'));
    await writeFile(join(outside, 'podinfo', victim), 'victim');
    await rejectsWithCode(store.garbageCollect(KEY, { keep: 0, ttlMs: 0 }), 'STORAGE_PATH_INVALID');
    await rejectsWithCode(store.remove(KEY), 'STORAGE_PATH_INVALID');
    await rejectsWithCode(store.verify(KEY, { path: `ocirepository/apps/podinfo/${victim}`, digest: `sha256:${'0'.repeat(64)}` }), 'STORAGE_PATH_INVALID');
    assert.deepEqual(await store.sweepStaging(), []);
    assert.deepEqual(await readdir(join(outside, 'podinfo')), [victim]);
  });

  it('refuses an object directory blocked by a file', async () => {
    await mkdir(join(root, 'ocirepository', 'apps'), { recursive: true });
    await writeFile(join(root, 'ocirepository', 'apps', 'podinfo'), 'not a directory');
    await rejectsWithCode(storeAt(root).store(KEY, writerOf('x')), 'STORAGE_PATH_INVALID');
  });

  it('accepts a root that is itself a symlink', async () => {
    const real = join(root, '..', 'real-root');
    await mkdir(real);
    await symlink(real, root);
    const artifact = await storeAt(root).store(KEY, writerOf('x'));
    assert.ok((await lstat(join(real, artifact.path))).isFile());
  });
});
