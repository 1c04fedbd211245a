import assert from 'node:assert/strict';
import { toNewTags } from '../../../src/cli/commands/tag-artifact.ts';
import { bobctl } from './capture.ts';

describe('bobctl tag artifact (flags)', () => {
  it('keeps the new tags in order, once each', () => {
    assert.deepEqual(toNewTags(['stable', 'prod', 'stable']), ['stable', 'prod']);
  });

  for (const [name, argv] of [
    ['no --tag', ['oci://127.0.0.1:5000/app:v1']],
    ['an invalid tag', ['oci://127.0.0.1:5000/app:v1', '--tag', 'ok,-bad']],
    ['a tag with a slash', ['oci://127.0.0.1:5000/app:v1', '--tag', 'a/b']],
    ['two references', ['oci://127.0.0.1:5000/app:v1', 'oci://127.0.0.1:5000/app:v2', '--tag', 'x']],
    ['no reference', ['--tag', 'x']],
    ['an unknown output format', ['oci://127.0.0.1:5000/app:v1', '--tag', 'x', '-o', 'xml']],
    ['an unknown flag', ['oci://127.0.0.1:5000/app:v1', '--tags', 'x']],
  ] as const) {
    it(`exits 2 for ${name}, before any request`, async () => {
      const result = await bobctl(['tag', 'artifact', ...argv]);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^bobctl tag artifact: /);
    });
  }
});
