import assert from 'node:assert/strict';
import { diffRelist, type KubeObject } from '../../../src/kube/index.ts';

const obj = (namespace: string, name: string, resourceVersion: string): KubeObject => ({ metadata: { namespace, name, resourceVersion } });

describe('kube/informer-diff', () => {
  it('emits added, updated and deleted for what changed, nothing for what did not', () => {
    const cache = new Map<string, KubeObject>([
      ['a/kept', obj('a', 'kept', '1')],
      ['a/changed', obj('a', 'changed', '2')],
      ['b/gone', obj('b', 'gone', '3')],
    ]);
    const { next, events } = diffRelist(cache, [obj('a', 'kept', '1'), obj('a', 'changed', '7'), obj('c', 'new', '8')]);
    assert.deepEqual(events.map((e) => [e.type, e.key, e.object.metadata.resourceVersion, e.previous?.metadata.resourceVersion]), [
      ['updated', 'a/changed', '7', '2'],
      ['added', 'c/new', '8', undefined],
      ['deleted', 'b/gone', '3', undefined],
    ]);
    assert.deepEqual([...next.keys()], ['a/kept', 'a/changed', 'c/new']);
    // The cache given in is not modified.
    assert.equal(cache.size, 3);
  });

  it('emits added for every item of the first list and deleted for everything on an empty list', () => {
    const first = diffRelist(new Map(), [obj('a', 'x', '1'), obj('a', 'y', '2')]);
    assert.deepEqual(first.events.map((e) => `${e.type} ${e.key}`), ['added a/x', 'added a/y']);
    const emptied = diffRelist(first.next, []);
    assert.deepEqual(emptied.events.map((e) => `${e.type} ${e.key}`), ['deleted a/x', 'deleted a/y']);
    assert.equal(emptied.next.size, 0);
  });

  it('keys cluster-scoped objects by name alone', () => {
    const { events } = diffRelist(new Map(), [{ metadata: { name: 'cluster-wide', resourceVersion: '1' } }]);
    assert.equal(events[0]?.key, 'cluster-wide');
  });
});
