import assert from 'node:assert/strict';
import { BobError } from '../../../src/shared/index.ts';
import { createLogger } from '../../../src/runtime/index.ts';
import type { Logger, LoggerOptions, LogLevel } from '../../../src/runtime/index.ts';
import { ManualClock } from './manual-clock.ts';

function capture(options: Partial<LoggerOptions> = {}): { logger: Logger; lines: () => Record<string, unknown>[]; raw: string[] } {
  const raw: string[] = [];
  const logger = createLogger({ level: 'debug', clock: new ManualClock(), stream: { write: (line: string) => raw.push(line) }, ...options });
  return { logger, raw, lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('runtime/logger', () => {
  it('writes one JSON object per line: level, RFC 3339 ms timestamp, msg, fields', () => {
    const { logger, raw } = capture();
    logger.info('reconciled', { object: 'apps/podinfo', revision: 'v1@sha256:ab', count: 2, ok: true });
    assert.deepEqual(raw, [
      '{"level":"info","ts":"2025-01-02T03:04:05.678Z","msg":"reconciled","object":"apps/podinfo","revision":"v1@sha256:ab","count":2,"ok":true}\n',
    ]);
  });

  it('child() binds fields; line fields win; reserved keys are renamed', () => {
    const { logger, lines } = capture();
    const child = logger.child({ object: 'apps/podinfo', reconcileID: 'r-1' }).child({ kind: 'OCIRepository' });
    child.error('failed', { reconcileID: 'r-2', msg: 'inner', level: 'x' });
    assert.deepEqual(lines(), [{
      level: 'error', ts: '2025-01-02T03:04:05.678Z', msg: 'failed',
      object: 'apps/podinfo', reconcileID: 'r-2', kind: 'OCIRepository', field_msg: 'inner', field_level: 'x',
    }]);
  });

  const levels: { level: LogLevel; written: string[] }[] = [
    { level: 'debug', written: ['debug', 'info', 'error'] },
    { level: 'info', written: ['info', 'error'] },
    { level: 'error', written: ['error'] },
  ];
  for (const { level, written } of levels) {
    it(`level ${level} writes ${written.join(', ')}`, () => {
      const { logger, lines } = capture({ level });
      logger.debug('d');
      logger.info('i');
      logger.error('e');
      assert.deepEqual(lines().map((line) => line['level']), written);
      assert.deepEqual((['debug', 'info', 'error'] as const).filter((l) => logger.enabled(l)), written);
    });
  }

  describe('redaction', () => {
    const secret = 'hunter2-registry-pass';
    const cases: { name: string; fields: Record<string, unknown>; expected: Record<string, unknown> }[] = [
      { name: 'known secret values anywhere', fields: { note: `login with ${secret} failed` }, expected: { note: 'login with *** failed' } },
      { name: 'URL userinfo, query and fragment', fields: { url: 'https://bob:s3cr3t@r.example/v2/a/blobs/x?X-Amz-Signature=abc#f' }, expected: { url: 'https://r.example/v2/a/blobs/x' } },
      { name: 'userinfo in other schemes', fields: { ref: 'oci://bob:s3cr3t@r.example/app:v1' }, expected: { ref: 'oci://***@r.example/app:v1' } },
      { name: 'Authorization schemes in text', fields: { header: 'Authorization: Bearer eyJhbGciOi.payload.sig' }, expected: { header: 'Authorization: Bearer ***' } },
      { name: 'keys that name a secret', fields: { password: 'p', token: 't', Authorization: 'Basic x', apiKey: 'k', tokenTTL: 300 }, expected: { password: '***', token: '***', Authorization: '***', apiKey: '***', tokenTTL: 300 } },
      { name: 'nested objects and arrays', fields: { auth: { username: 'u', password: 'p' }, hosts: ['https://u:p@a.example/x?q=1'] }, expected: { auth: { username: 'u', password: '***' }, hosts: ['https://a.example/x'] } },
      { name: 'non-printable characters', fields: { name: 'a\nb\u0000c\u00e9' }, expected: { name: 'a?b?c?' } },
      { name: 'URL objects and dates', fields: { at: new Date(0), url: new URL('https://a:b@h.example/p?x=1') }, expected: { at: '1970-01-01T00:00:00.000Z', url: 'https://h.example/p' } },
      { name: 'undefined, functions and symbols are left out; odd numbers become text', fields: { a: undefined, f: () => 1, s: Symbol('x'), n: NaN, big: 10n }, expected: { n: 'NaN', big: '10' } },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const { logger, lines } = capture({ secrets: () => [secret] });
        logger.info('m', c.fields);
        const fields = { ...lines()[0] };
        for (const envelope of ['level', 'ts', 'msg']) Reflect.deleteProperty(fields, envelope);
        assert.deepEqual(fields, c.expected);
      });
    }

    it('errors become message, code and class, with causes and no stack', () => {
      const { logger, raw, lines } = capture({ secrets: () => [secret] });
      const cause = new Error(`GET https://r.example/token?password=${secret} failed`);
      logger.error('pull failed', { error: new BobError('OCI_AUTH_FAILED', 'authenticating', { cause, errorClass: 'transient', details: { status: 401 } }) });
      assert.deepEqual(lines()[0]?.['error'], {
        message: 'authenticating: GET https://r.example/token failed',
        code: 'OCI_AUTH_FAILED',
        errorClass: 'transient',
        details: { status: 401 },
      });
      assert.ok(!raw.join('').includes(secret));
      assert.ok(!raw.join('').includes('at '));
    });

    it('masks the message too, and reads the secret list at write time', () => {
      const known: string[] = [];
      const { logger, lines } = capture({ secrets: () => known });
      known.push('tok-123');
      logger.info('sent tok-123 to https://u:p@h.example/?q=tok');
      assert.equal(lines()[0]?.['msg'], 'sent *** to https://h.example/');
    });
  });

  it('never throws, even when the stream does', () => {
    const logger = createLogger({ level: 'info', clock: new ManualClock(), stream: { write: () => { throw new Error('EPIPE'); } } });
    assert.doesNotThrow(() => { logger.info('x', { a: 1 }); });
  });
});
