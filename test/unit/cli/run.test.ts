import assert from 'node:assert/strict';
import { toExitCode } from '../../../src/cli/run.ts';
import { BobError } from '../../../src/shared/index.ts';

describe('cli/run exit codes', () => {
  const cases: [string, number][] = [
    ['CLI_USAGE', 2], ['REFERENCE_INVALID', 2],
    // Also sent by registries (error bodies, tag lists): a failed operation, not a wrong command line.
    ['DIGEST_INVALID', 1], ['TAG_INVALID', 1], ['NAME_INVALID', 1],
    ['UNAUTHORIZED', 3], ['DENIED', 3], ['MANIFEST_UNKNOWN', 4], ['NAME_UNKNOWN', 4], ['BLOB_DIGEST_MISMATCH', 1],
  ];
  for (const [code, exit] of cases) {
    it(`${code} exits ${exit}`, () => {
      assert.equal(toExitCode(new BobError(code, 'x')), exit);
    });
  }
  it('anything else exits 1', () => {
    assert.equal(toExitCode(new Error('boom')), 1);
  });
});
