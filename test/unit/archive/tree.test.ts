import assert from 'node:assert/strict';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { diffTrees, listTree } from '../../../src/archive/index.ts';
import { useScratch, writeTree } from './helpers.ts';

describe('archive/tree', () => {
  let root = '';
  useScratch((dir) => { root = dir; });

  it('lists files with digests and normalized modes, in pack order', async () => {
    await writeTree(join(root, 'a'), { 'b.yaml': 'b', 'a/x.sh': { content: 'x', mode: 0o700 }, '.git/HEAD': 'h', empty: null });
    const listing = await listTree(join(root, 'a'));
    assert.deepEqual(listing.entries, [
      { kind: 'dir', path: 'a' },
      { kind: 'file', path: 'a/x.sh', mode: 0o755, size: 1, digest: 'sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881' },
      { kind: 'file', path: 'b.yaml', mode: 0o644, size: 1, digest: 'sha256:3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d' },
      { kind: 'dir', path: 'empty' },
    ]);
    assert.match(listing.digest, /^sha256:[a-f0-9]{64}$/u);
  });

  it('reports added, removed and changed paths', async () => {
    const spec = { 'same.yaml': 's', 'edit.yaml': 'v1', 'gone.yaml': 'g', 'mode.sh': 'm', dir: null };
    await writeTree(join(root, 'before'), spec);
    await writeTree(join(root, 'after'), spec);
    await writeFile(join(root, 'after', 'edit.yaml'), 'v2');
    await rm(join(root, 'after', 'gone.yaml'));
    await writeFile(join(root, 'after', 'new.yaml'), 'n');
    await chmod(join(root, 'after', 'mode.sh'), 0o755);
    await rm(join(root, 'after', 'dir'), { recursive: true });
    await writeFile(join(root, 'after', 'dir'), 'now a file');
    const before = await listTree(join(root, 'before'));
    const after = await listTree(join(root, 'after'));
    assert.deepEqual(diffTrees(before, after), {
      added: ['new.yaml'],
      removed: ['gone.yaml'],
      changed: ['dir', 'edit.yaml', 'mode.sh'],
    });
    assert.notEqual(before.digest, after.digest);
    assert.deepEqual(diffTrees(before, before), { added: [], removed: [], changed: [] });
    assert.equal((await listTree(join(root, 'before'))).digest, before.digest);
  });
});
