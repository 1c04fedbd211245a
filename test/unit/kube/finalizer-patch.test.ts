import assert from 'node:assert/strict';
import { isBobError } from '../../../src/shared/index.ts';
import { toFinalizerAddPatch, toFinalizerRemovePatch, type KubeObject } from '../../../src/kube/index.ts';

const F = 'finalizers.source.k8sstormcenter.io';
const withFinalizers = (finalizers?: string[]): KubeObject => ({
  metadata: finalizers === undefined ? { name: 'x', resourceVersion: '42' } : { name: 'x', resourceVersion: '42', finalizers },
});

describe('kube/finalizer-patch', () => {
  it('adds the first finalizer guarded by the resourceVersion', () => {
    assert.deepEqual(toFinalizerAddPatch(withFinalizers(), F), [
      { op: 'test', path: '/metadata/resourceVersion', value: '42' },
      { op: 'add', path: '/metadata/finalizers', value: [F] },
    ]);
  });

  it('appends to an existing list guarded by the list itself', () => {
    assert.deepEqual(toFinalizerAddPatch(withFinalizers(['other']), F), [
      { op: 'test', path: '/metadata/finalizers', value: ['other'] },
      { op: 'replace', path: '/metadata/finalizers', value: ['other', F] },
    ]);
  });

  it('does nothing when the finalizer is already there, or already gone', () => {
    assert.equal(toFinalizerAddPatch(withFinalizers([F]), F), undefined);
    assert.equal(toFinalizerRemovePatch(withFinalizers(['other']), F), undefined);
    assert.equal(toFinalizerRemovePatch(withFinalizers(), F), undefined);
  });

  it('removes every occurrence and drops the list when it becomes empty', () => {
    assert.deepEqual(toFinalizerRemovePatch(withFinalizers([F, 'other', F]), F), [
      { op: 'test', path: '/metadata/finalizers', value: [F, 'other', F] },
      { op: 'replace', path: '/metadata/finalizers', value: ['other'] },
    ]);
    assert.deepEqual(toFinalizerRemovePatch(withFinalizers([F]), F), [
      { op: 'test', path: '/metadata/finalizers', value: [F] },
      { op: 'remove', path: '/metadata/finalizers' },
    ]);
  });

  it('refuses to add without a resourceVersion to guard on', () => {
    assert.throws(() => toFinalizerAddPatch({ metadata: { name: 'x' } }, F), (error) => isBobError(error, 'KUBE_RESPONSE_INVALID'));
  });
});
