// reliability.md §6 row 38: disk full mid-write, rename failures, crashes
// between write and rename: the previous artifact and latest.tar.gz stay
// exactly as they were and no partial file ever carries a final name.
import assert from 'node:assert/strict';
import { chmod, mkdir, open, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BobError } from '../../../src/shared/index.ts';
import type { ArtifactWriter } from '../../../src/storage/index.ts';
import { hexOf, KEY, OBJECT_DIR, rejectsWithCode, snapshot, storeAt, useScratch } from './helpers.ts';

/** Writes `firstPart` through a real descriptor, checks nothing final appeared, then fails with `error`. */
function failingWriter(firstPart: string, error: Error, seen: string[][]): ArtifactWriter {
  return async (tempPath) => {
    const handle = await open(tempPath, 'w');
    try {
      await handle.write(firstPart);
      seen.push((await readdir(join(tempPath, '..'))).sort());
    } finally {
      await handle.close();
    }
    throw error;
  };
}

describe('storage/atomicity', () => {
  let root = '';
  useScratch((dir) => { root = join(dir, 'data'); });

  async function withPrevious(): Promise<Awaited<ReturnType<typeof snapshot>>> {
    await storeAt(root).store(KEY, async (tempPath) => { await writeFile(tempPath, 'previous good artifact'); });
    return snapshot(root);
  }

  it('ENOSPC halfway: STORAGE_WRITE_FAILED with the errno, temp removed, previous artifact and latest untouched', async () => {
    const before = await withPrevious();
    const seen: string[][] = [];
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    const error = await rejectsWithCode(storeAt(root).store(KEY, failingWriter('secret half of the new content', enospc, seen)), 'STORAGE_WRITE_FAILED');
    assert.equal(error.details['errno'], 'ENOSPC');
    assert.equal(error.errorClass, 'transient');
    assert.equal(error.message, 'storing artifact for apps/podinfo: ENOSPC');
    assert.equal(error.cause, enospc);
    // While the writer ran, the only new entry was the hidden temporary file.
    assert.equal(seen.length, 1);
    const added = (seen[0] ?? []).filter((name) => !before.names.includes(name));
    assert.equal(added.length, 1);
    assert.match(added[0] ?? '', /^\.tmp-/);
    assert.deepEqual(await snapshot(root), before);
  });

  it('a writer throwing a plain error: STORAGE_WRITE_FAILED, nothing changed', async () => {
    const before = await withPrevious();
    await rejectsWithCode(storeAt(root).store(KEY, failingWriter('partial', new Error('upstream reset'), [])), 'STORAGE_WRITE_FAILED');
    assert.deepEqual(await snapshot(root), before);
  });

  it("a writer's own BobError passes through unchanged, nothing changed", async () => {
    const before = await withPrevious();
    const own = new BobError('ARCHIVE_TOO_LARGE', 'uncompressed size exceeds the limit', { errorClass: 'stalling' });
    await assert.rejects(storeAt(root).store(KEY, failingWriter('partial', own, [])), (error) => error === own);
    assert.deepEqual(await snapshot(root), before);
  });

  it('an abort during the write: STORAGE_ABORTED, nothing changed', async () => {
    const before = await withPrevious();
    const controller = new AbortController();
    const error = await rejectsWithCode(storeAt(root).store(KEY, async (tempPath, signal) => {
      await writeFile(tempPath, 'partial');
      controller.abort(new Error('reconcile deadline'));
      signal.throwIfAborted();
    }, { signal: controller.signal }), 'STORAGE_ABORTED');
    assert.equal(error.errorClass, 'transient');
    assert.deepEqual(await snapshot(root), before);
  });

  it('an already-aborted signal: STORAGE_ABORTED before anything is created', async () => {
    const before = await withPrevious();
    let ran = false;
    await rejectsWithCode(storeAt(root).store(KEY, () => { ran = true; return Promise.resolve(); }, { signal: AbortSignal.abort() }), 'STORAGE_ABORTED');
    assert.equal(ran, false);
    assert.deepEqual(await snapshot(root), before);
  });

  it('a writer that completes although the signal fired is not published', async () => {
    const before = await withPrevious();
    const controller = new AbortController();
    await rejectsWithCode(storeAt(root).store(KEY, async (tempPath) => {
      await writeFile(tempPath, 'complete but too late');
      controller.abort();
    }, { signal: controller.signal }), 'STORAGE_ABORTED');
    assert.deepEqual(await snapshot(root), before);
  });

  it('the rename into place fails (final name occupied by a directory): nothing published, temp removed', async () => {
    const before = await withPrevious();
    const blocker = join(root, OBJECT_DIR, `${hexOf('new content')}.tar.gz`);
    await mkdir(join(blocker, 'inside'), { recursive: true });
    const error = await rejectsWithCode(storeAt(root).store(KEY, async (tempPath) => { await writeFile(tempPath, 'new content'); }), 'STORAGE_WRITE_FAILED');
    assert.match(String(error.details['errno']), /^(EISDIR|ENOTEMPTY|EEXIST)$/);
    const after = await snapshot(root);
    assert.equal(after.latest, before.latest);
    assert.deepEqual(after.names.filter((name) => !name.startsWith(hexOf('new content'))), before.names);
    assert.equal(await readFile(join(root, OBJECT_DIR, 'latest.tar.gz'), 'utf8'), 'previous good artifact');
  });

  it('the latest swap fails: the newly renamed file is removed again and latest stays', async () => {
    // latest.tar.gz is a non-empty directory here, so rename(2) of the new link over it fails.
    await mkdir(join(root, OBJECT_DIR, 'latest.tar.gz', 'inside'), { recursive: true });
    const error = await rejectsWithCode(storeAt(root).store(KEY, async (tempPath) => { await writeFile(tempPath, 'new content'); }), 'STORAGE_WRITE_FAILED');
    assert.match(String(error.details['errno']), /^(EISDIR|ENOTEMPTY|EEXIST)$/);
    assert.deepEqual(await readdir(join(root, OBJECT_DIR)), ['latest.tar.gz']);
  });

  it('the latest swap fails but the file already existed (same content): the existing artifact stays', async () => {
    const store = storeAt(root);
    const current = await store.store(KEY, async (tempPath) => { await writeFile(tempPath, 'same'); });
    const dir = join(root, OBJECT_DIR);
    await rm(join(dir, 'latest.tar.gz'));
    await mkdir(join(dir, 'latest.tar.gz', 'inside'), { recursive: true });
    await rejectsWithCode(store.store(KEY, async (tempPath) => { await writeFile(tempPath, 'same'); }), 'STORAGE_WRITE_FAILED');
    assert.equal(await readFile(join(root, current.path), 'utf8'), 'same');
  });

  it('a writer replacing the temp file with a symlink is refused (ELOOP) and the link target is untouched', async () => {
    const before = await withPrevious();
    const outside = join(root, '..', 'outside');
    await writeFile(outside, 'outside');
    const error = await rejectsWithCode(storeAt(root).store(KEY, async (tempPath) => {
      await rm(tempPath);
      await symlink(outside, tempPath);
    }), 'STORAGE_WRITE_FAILED');
    assert.equal(error.details['errno'], 'ELOOP');
    assert.deepEqual(await snapshot(root), before);
    assert.equal(await readFile(outside, 'utf8'), 'outside');
  });

  it('a read-only object directory (rename refused): nothing published; the stranded temp is swept later', async function () {
    // root bypasses directory permissions, so the refusal cannot be provoked as root.
    if (process.getuid?.() === 0) this.skip();
    const before = await withPrevious();
    const dir = join(root, OBJECT_DIR);
    try {
      await rejectsWithCode(storeAt(root).store(KEY, async (tempPath) => {
        await writeFile(tempPath, 'new content');
        await chmod(dir, 0o555);
      }), 'STORAGE_WRITE_FAILED');
    } finally {
      await chmod(dir, 0o700);
    }
    await storeAt(root).sweepStaging();
    assert.deepEqual(await snapshot(root), before);
  });
});
