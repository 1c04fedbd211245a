import assert from 'node:assert/strict';
import { backoffDelay, createSystemClock, redactSecrets, redactUrl, toSafeText } from '../../../src/shared/index.ts';

describe('shared/redact', () => {
  const urls: [string, string][] = [
    ['https://user:pass@r.example:5000/v2/a/blobs/x?X-Amz-Signature=s3cr3t#frag', 'https://r.example:5000/v2/a/blobs/x'],
    ['http://r.example/v2/', 'http://r.example/v2/'],
    ['https://r.example/token?service=x&scope=repository:a:pull&password=p', 'https://r.example/token'],
    ['file:///etc/passwd', 'file:<redacted>'],
    ['not a url with a secret', '<invalid URL>'],
  ];
  for (const [input, expected] of urls) it(`redactUrl ${expected}`, () => { assert.equal(redactUrl(input), expected); });
  it('accepts URL objects', () => { assert.equal(redactUrl(new URL('https://a:b@x.example/p?q=1')), 'https://x.example/p'); });
  it('masks secrets, longest first', () => {
    assert.equal(redactSecrets('token abc and abcdef and abc', ['abc', 'abcdef', undefined, '']), 'token *** and *** and ***');
  });
  it('keeps server text printable and short', () => {
    assert.equal(toSafeText('a\nb\u0000c', 10), 'a?b?c');
    assert.equal(toSafeText('x'.repeat(30), 10), `${'x'.repeat(10)}...`);
  });
});

describe('shared/backoff and clock', () => {
  it('grows exponentially with equal jitter, capped', () => {
    const at = (attempt: number, r: number): number => backoffDelay(attempt, { baseMs: 100, maxMs: 1000, random: () => r });
    assert.deepEqual([0, 1, 2, 3, 4, 10].map((n) => at(n, 0)), [50, 100, 200, 400, 500, 500]);
    assert.deepEqual([0, 1, 2, 3, 4, 10].map((n) => at(n, 0.999999)), [99, 199, 399, 799, 999, 999]);
  });
  it('sleeps and honours aborts', async () => {
    const clock = createSystemClock();
    const start = clock.now();
    await clock.sleep(20);
    assert.ok(clock.now() - start >= 15);
    const controller = new AbortController();
    const pending = clock.sleep(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(pending, /stop/);
    await assert.rejects(clock.sleep(1, AbortSignal.abort()), Error);
  });
});
