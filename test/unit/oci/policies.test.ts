// Small pure policies: Retry-After, retryable statuses, redirect and realm
// targets, Link pagination, NO_PROXY matching, the token cache.
import assert from 'node:assert/strict';
import { classifyHost } from '../../../src/oci/address.ts';
import { Pager, parseNextLink } from '../../../src/oci/pagination.ts';
import { isRedirectStatus, toRedirectTarget } from '../../../src/oci/redirects.ts';
import { isRetryableStatus, parseRetryAfter } from '../../../src/oci/retry.ts';
import { TokenCache } from '../../../src/oci/token-cache.ts';
import { isProxyBypassed } from '../../../src/oci/transport.ts';
import { toReferrersTag } from '../../../src/oci/index.ts';
import { isBobError } from '../../../src/shared/index.ts';
import { fakeClock } from './fake-server.ts';

describe('oci policies', () => {
  describe('parseRetryAfter', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const cases: [string | undefined, number | undefined][] = [
      [undefined, undefined], ['5', 5000], [' 0 ', 0], ['86400', 86_400_000], ['Thu, 01 Jan 2026 00:00:30 GMT', 30_000],
      ['Wed, 31 Dec 2025 00:00:00 GMT', 0], ['garbage', undefined], ['-5', undefined], ['1.5', undefined], ['', undefined],
      ['99999999999', 365 * 24 * 3600 * 1000],
    ];
    for (const [value, ms] of cases) it(value ?? '(absent)', () => { assert.equal(parseRetryAfter(value, now), ms); });
  });

  it('retries 408/429/5xx but not 501/505/4xx', () => {
    assert.deepEqual([408, 429, 500, 502, 503, 504, 599].map(isRetryableStatus), Array(7).fill(true));
    assert.deepEqual([400, 401, 403, 404, 501, 505, 200].map(isRetryableStatus), Array(7).fill(false));
    assert.ok(isRedirectStatus(307) && !isRedirectStatus(304));
  });

  describe('toRedirectTarget', () => {
    const from = new URL('https://registry.example/v2/a/blobs/x');
    const ok: [string, string][] = [
      ['https://cdn.example/blob?sig=1', 'https://cdn.example/blob?sig=1'],
      ['/other/path', 'https://registry.example/other/path'],
      ['https://registry.example:8443/x', 'https://registry.example:8443/x'],
    ];
    for (const [location, expected] of ok) it(`follows ${location}`, () => { assert.equal(toRedirectTarget(from, location, 0, 5).href, expected); });
    const bad: [string | undefined, number, string][] = [
      ['file:///etc/passwd', 0, 'REDIRECT_UNSAFE'], ['ftp://x.example/', 0, 'REDIRECT_UNSAFE'],
      ['http://cdn.example/blob', 0, 'REDIRECT_UNSAFE'], ['https://user:pw@cdn.example/', 0, 'REDIRECT_UNSAFE'],
      ['http://169.254.169.254/latest/meta-data', 0, 'REDIRECT_UNSAFE'], ['https://10.0.0.1/', 0, 'REDIRECT_UNSAFE'],
      ['https://127.0.0.1/', 0, 'REDIRECT_UNSAFE'], ['https://[::1]/', 0, 'REDIRECT_UNSAFE'], ['https://[fe80::1]/', 0, 'REDIRECT_UNSAFE'],
      [undefined, 0, 'REDIRECT_UNSAFE'], ['https://cdn.example/', 5, 'REDIRECT_LIMIT'],
    ];
    for (const [location, hop, code] of bad) {
      it(`refuses ${String(location)} at hop ${hop}`, () => {
        assert.throws(() => toRedirectTarget(from, location, hop, 5), (e: unknown) => isBobError(e, code) && !e.message.includes('sig='));
      });
    }
    it('allows private targets from a private registry but never link-local', () => {
      const local = new URL('http://127.0.0.1:5000/v2/');
      assert.equal(toRedirectTarget(local, 'http://127.0.0.1:6000/x', 0, 5).port, '6000');
      assert.throws(() => toRedirectTarget(local, 'http://169.254.169.254/', 0, 5), (e: unknown) => isBobError(e, 'REDIRECT_UNSAFE'));
    });
    it('classifies hosts', () => {
      assert.deepEqual(['localhost', '192.168.1.1', '172.20.0.1', '100.64.0.1', '8.8.8.8', '[::ffff:127.0.0.1]', '0.0.0.0', '[fd00::1]', 'x.example'].map(classifyHost),
        ['loopback', 'private', 'private', 'private', 'public', 'loopback', 'unspecified', 'private', 'public']);
    });
  });

  describe('pagination', () => {
    it('parses rel="next" among several links', () => {
      assert.equal(parseNextLink('</v2/a/tags/list?n=2&last=b>; rel="next"'), '/v2/a/tags/list?n=2&last=b');
      assert.equal(parseNextLink('<https://x/prev>; rel="prev", <https://x/next>; rel=next'), 'https://x/next');
      assert.equal(parseNextLink('<https://x/p>; rel="prev"'), undefined);
      assert.equal(parseNextLink(undefined), undefined);
    });
    it('keeps pages on one origin, unrepeated and bounded', () => {
      const first = new URL('https://r.example/v2/a/tags/list');
      const pager = new Pager(first, 2);
      pager.countPage(first);
      const second = pager.next(first, '</v2/a/tags/list?last=x>; rel="next"');
      assert.equal(second?.href, 'https://r.example/v2/a/tags/list?last=x');
      assert.throws(() => pager.next(first, '<https://evil.example/v2/a/tags/list>; rel="next"'), (e: unknown) => isBobError(e, 'PAGINATION_INVALID'));
      assert.throws(() => pager.next(first, '</v2/a/tags/list>; rel="next"'), (e: unknown) => isBobError(e, 'PAGINATION_INVALID'));
      pager.countPage(first);
      assert.throws(() => { pager.countPage(first); }, (e: unknown) => isBobError(e, 'PAGINATION_LIMIT'));
    });
  });

  describe('isProxyBypassed', () => {
    const cases: [string, string | undefined, boolean][] = [
      ['https://r.example/', undefined, false], ['https://r.example/', '*', true], ['https://r.example/', 'r.example', true],
      ['https://a.r.example/', '.r.example', true], ['https://a.r.example/', 'r.example', true], ['https://evilr.example/', 'r.example', false],
      ['https://r.example:5000/', 'r.example:5000', true], ['https://r.example/', 'r.example:5000', false],
      ['http://127.0.0.1:80/', 'localhost, 127.0.0.1', true], ['https://[::1]:443/', '[::1]', true],
    ];
    for (const [url, noProxy, expected] of cases) it(`${url} vs ${String(noProxy)}`, () => { assert.equal(isProxyBypassed(new URL(url), noProxy), expected); });
  });

  describe('TokenCache', () => {
    it('honours expires_in with a margin, defaults to 60 s, ignores scope order', () => {
      const clock = fakeClock();
      const cache = new TokenCache(clock);
      cache.set('r', ['b', 'a'], 't1', 300);
      cache.set('r', ['c'], 't2', undefined);
      assert.equal(cache.get('r', ['a', 'b', 'a']), 't1');
      assert.equal(cache.get('other', ['a', 'b']), undefined);
      clock.now = (() => { const t = Date.parse('2026-01-01T00:00:55Z'); return () => t; })();
      assert.equal(cache.get('r', ['c']), undefined, '60 s token is refreshed 6 s early');
      assert.equal(cache.get('r', ['a', 'b']), 't1');
      cache.delete('r', ['a', 'b']);
      assert.equal(cache.get('r', ['a', 'b']), undefined);
    });
  });

  it('names the referrers fallback tag', () => {
    assert.equal(toReferrersTag(`sha256:${'ab'.repeat(32)}`), `sha256-${'ab'.repeat(32)}`);
    assert.equal(toReferrersTag(`sha512:${'c'.repeat(128)}`), `sha512-${'c'.repeat(64)}`);
    assert.throws(() => toReferrersTag('sha256:../x'), (e: unknown) => isBobError(e, 'DIGEST_INVALID'));
  });
});
