import assert from 'node:assert/strict';
import { BobError, describeError, isBobError } from '../../../src/shared/index.ts';

describe('shared/errors', () => {
  it('keeps code, class and cause', () => {
    const cause = new Error('socket hang up');
    const error = new BobError('BLOB_FETCH_FAILED', 'fetching blob sha256:abc', { cause, errorClass: 'transient' });
    assert.equal(error.code, 'BLOB_FETCH_FAILED');
    assert.equal(error.errorClass, 'transient');
    assert.equal(error.cause, cause);
    assert.ok(isBobError(error, 'BLOB_FETCH_FAILED'));
    assert.ok(!isBobError(error, 'OTHER'));
    assert.ok(!isBobError(cause));
  });

  it('defaults to transient with no details', () => {
    const error = new BobError('X', 'x');
    assert.equal(error.errorClass, 'transient');
    assert.deepEqual(error.details, {});
  });

  it('describes the cause chain on one line without repeats', () => {
    const inner = new BobError('A', 'connection refused');
    const outer = new BobError('B', 'resolving tag v1', { cause: inner });
    assert.equal(describeError(outer), 'resolving tag v1: connection refused');
    assert.equal(describeError(new BobError('C', 'same', { cause: new Error('same') })), 'same');
    assert.equal(describeError('plain'), 'plain');
  });
});
