import assert from 'node:assert/strict';
import { isBobError } from '../../../src/shared/index.ts';
import { readWatchEvents, type KubeObject, type WatchEvent } from '../../../src/kube/index.ts';

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<WatchEvent<KubeObject>[]> {
  const events: WatchEvent<KubeObject>[] = [];
  for await (const event of readWatchEvents(stream, 'watch things')) events.push(event);
  return events;
}

describe('kube/watch-events', () => {
  it('reads events split across chunks, bookmarks included', async () => {
    const added = JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a', namespace: 'n', resourceVersion: '5' } } });
    const bookmark = JSON.stringify({ type: 'BOOKMARK', object: { kind: 'OCIRepository', metadata: { resourceVersion: '9' } } });
    const deleted = JSON.stringify({ type: 'DELETED', object: { metadata: { name: 'a', namespace: 'n', resourceVersion: '10' } } });
    const events = await collect(streamOf(added.slice(0, 10), `${added.slice(10)}\n${bookmark}\n`, deleted));
    assert.deepEqual(events, [
      { type: 'ADDED', object: { metadata: { name: 'a', namespace: 'n', resourceVersion: '5' } } },
      { type: 'BOOKMARK', resourceVersion: '9' },
      { type: 'DELETED', object: { metadata: { name: 'a', namespace: 'n', resourceVersion: '10' } } },
    ]);
  });

  it('turns an ERROR event with 410 into KUBE_GONE with the Status message', async () => {
    const error = JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'too old resource version: 1 (207)', reason: 'Expired', code: 410 } });
    await assert.rejects(collect(streamOf(`${error}\n`)), (e) => {
      assert.ok(isBobError(e, 'KUBE_GONE'));
      assert.equal(e.message, 'watch things: too old resource version: 1 (207)');
      return true;
    });
  });

  it('refuses lines that are not watch events', async () => {
    for (const line of ['not json', '{"type":"ADDED","object":{"metadata":{}}}', '{"type":"SURPRISE","object":{}}', '{"type":"BOOKMARK","object":{}}', '[]']) {
      await assert.rejects(collect(streamOf(`${line}\n`)), (e) => isBobError(e, 'KUBE_RESPONSE_INVALID'), line);
    }
  });

  it('reports a stream that breaks mid-watch as KUBE_API_ERROR', async () => {
    const encoder = new TextEncoder();
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(encoder.encode('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n'));
        controller.error(Object.assign(new TypeError('terminated'), { cause: { code: 'ECONNRESET' } }));
      },
    });
    const seen: string[] = [];
    await assert.rejects((async () => {
      for await (const event of readWatchEvents(broken, 'watch things')) seen.push(event.type);
    })(), (e) => isBobError(e, 'KUBE_API_ERROR') && e.message === 'watch things: watch stream broke (TypeError)');
    assert.deepEqual(seen, ['ADDED']);
  });
});
