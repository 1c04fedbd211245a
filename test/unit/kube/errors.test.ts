import assert from 'node:assert/strict';
import { isConflict, isGone, isNotFound, toKubeError, toKubeErrorCode } from '../../../src/kube/index.ts';

describe('kube/errors', () => {
  it('maps HTTP statuses to codes and classes', () => {
    const table: [number, string, string][] = [
      [404, 'KUBE_NOT_FOUND', 'waiting'],
      [409, 'KUBE_CONFLICT', 'transient'],
      [401, 'KUBE_FORBIDDEN', 'waiting'],
      [403, 'KUBE_FORBIDDEN', 'waiting'],
      [410, 'KUBE_GONE', 'transient'],
      [422, 'KUBE_API_ERROR', 'transient'],
      [429, 'KUBE_API_ERROR', 'transient'],
      [500, 'KUBE_API_ERROR', 'transient'],
      [503, 'KUBE_API_ERROR', 'transient'],
    ];
    for (const [status, code, errorClass] of table) {
      assert.equal(toKubeErrorCode(status), code, String(status));
      const error = toKubeError(status, undefined, 'get x');
      assert.equal(error.code, code);
      assert.equal(error.errorClass, errorClass);
      assert.equal(error.details['status'], status);
    }
  });

  it('takes the message from the Status object and nothing else from the body', () => {
    const body = {
      kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Conflict', code: 409,
      message: 'Operation cannot be fulfilled on ocirepositories "honey": the object has been modified',
      details: { name: 'honey', causes: [{ message: 'token=s3cr3t-value' }] },
      data: 'c2VjcmV0',
    };
    const error = toKubeError(409, body, 'patch status of ocirepositories default/honey');
    assert.equal(error.message, 'patch status of ocirepositories default/honey: Operation cannot be fulfilled on ocirepositories "honey": the object has been modified');
    assert.equal(error.details['reason'], 'Conflict');
    assert.doesNotMatch(error.message, /s3cr3t|c2VjcmV0/);
    assert.ok(isConflict(error));
    assert.ok(!isNotFound(error));
  });

  it('falls back to the HTTP status when the body is not a Status, never echoing it', () => {
    const error = toKubeError(500, { apiVersion: 'v1', kind: 'Secret', data: { password: 'aHVudGVyMg==' } }, 'get secret default/x');
    assert.equal(error.message, 'get secret default/x: HTTP 500');
    assert.equal(error.code, 'KUBE_API_ERROR');
  });

  it('reduces a hostile Status message to short printable text', () => {
    const error = toKubeError(410, { kind: 'Status', code: 410, message: `too old\n\u001b[31m${'x'.repeat(500)}` }, 'watch');
    assert.ok(isGone(error));
    assert.ok(!error.message.includes('\n') && !error.message.includes('\u001b'));
    assert.ok(error.message.length < 260);
  });
});
