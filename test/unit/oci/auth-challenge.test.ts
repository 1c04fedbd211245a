import assert from 'node:assert/strict';
import { parseChallenges } from '../../../src/oci/index.ts';

describe('oci/auth-challenge parseChallenges', () => {
  const cases: [string, { scheme: string; params: Record<string, string> }[]][] = [
    ['Basic realm="registry"', [{ scheme: 'basic', params: { realm: 'registry' } }]],
    ['Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull"',
      [{ scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'reg', scope: 'repository:a/b:pull' } }]],
    ['bearer  REALM = "https://a/t" , Service=reg', [{ scheme: 'bearer', params: { realm: 'https://a/t', service: 'reg' } }]],
    ['Bearer realm="https://a/t",scope="repository:a:pull,push repository:b:pull"',
      [{ scheme: 'bearer', params: { realm: 'https://a/t', scope: 'repository:a:pull,push repository:b:pull' } }]],
    ['Bearer realm="a \\"quoted\\" \\\\ value"', [{ scheme: 'bearer', params: { realm: 'a "quoted" \\ value' } }]],
    ['Bearer realm="https://a/t", error="insufficient_scope", Basic realm="x"',
      [{ scheme: 'bearer', params: { realm: 'https://a/t', error: 'insufficient_scope' } }, { scheme: 'basic', params: { realm: 'x' } }]],
    ['Basic realm="x", Bearer realm="https://a/t"', [{ scheme: 'basic', params: { realm: 'x' } }, { scheme: 'bearer', params: { realm: 'https://a/t' } }]],
    ['Bearer realm="first",realm="second"', [{ scheme: 'bearer', params: { realm: 'first' } }]],
    ['Bearer', [{ scheme: 'bearer', params: {} }]],
    ['', []],
    ['"garbage', []],
    ['Bearer realm="unterminated', [{ scheme: 'bearer', params: {} }]],
    ['Bearer realm="a" junk here', [{ scheme: 'bearer', params: { realm: 'a' } }]],
    ['Negotiate abc==', [{ scheme: 'negotiate', params: { abc: '' } }]],
    ['Bearer realm=,service=x', [{ scheme: 'bearer', params: { realm: '', service: 'x' } }]],
  ];
  for (const [header, expected] of cases) {
    it(JSON.stringify(header).slice(0, 80), () => {
      assert.deepEqual(parseChallenges(header).map((c) => ({ scheme: c.scheme, params: { ...c.params } })), expected);
    });
  }
});
