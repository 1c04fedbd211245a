// The bobctl entry point as a real process: help, version, and exit codes.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { run } from '../../env/run.ts';

const MAIN = join(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'main.ts');

describe('bobctl entry point', () => {
  it('prints help with every verb and exits 0', async () => {
    const result = await run(process.execPath, [MAIN, 'help']);
    for (const verb of ['push artifact', 'pull artifact', 'tag artifact', 'list artifacts', 'describe artifact', 'diff artifact', 'build artifact', 'link artifact', 'discover']) {
      assert.match(result.stdout, new RegExp(`^  ${verb} `, 'm'));
    }
  });

  it('exits 2 with a hint for an unknown verb or flag', async () => {
    const verb = await run(process.execPath, [MAIN, 'frobnicate'], { allowFailure: true });
    assert.equal(verb.code, 2);
    assert.match(verb.stderr, /unknown verb "frobnicate"/);
    const flag = await run(process.execPath, [MAIN, 'pull', 'artifact', 'oci://localhost:5000/a:b', '--nope'], { allowFailure: true });
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /Usage: bobctl pull artifact/);
  });
});
