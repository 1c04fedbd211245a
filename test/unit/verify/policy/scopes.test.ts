// Scope selection ("most specific wins", research/signatures.md §1.5) and
// registries.d lookups (§2): the upstream conformance table, the port and
// wildcard rules, fall-through of sections lacking a key, and the lookaside
// URL layout.
import assert from 'node:assert/strict';
import { isBobError } from '../../../../src/shared/index.ts';
import { parseNormalizedNamed } from '../../../../src/verify/policy/docker-reference.ts';
import {
  lookasideFor, parsePolicy, parseRegistriesD, requirementsFor, toLookasideUrl, usesSigstoreAttachments,
} from '../../../../src/verify/policy/index.ts';
import { toPolicyIdentity, toPolicyNamespaces } from '../../../../src/verify/policy/scopes.ts';

const D1 = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('verify/policy scopes', () => {
  // TestPolicyContextRequirementsForImageRef: each scope's single requirement names the scope it came from.
  const SCOPES = ['', 'unmatched', 'deep.com', '*.very.deep.com', '*.deep.com', 'deep.com/n1', 'deep.com/n1/n2', 'deep.com/n1/n2/n3',
    'deep.com/n1/n2/n3/repo', 'deep.com/n1/n2/n3/repo:tag2'];
  const policy = parsePolicy(JSON.stringify({
    default: [{ type: 'reject' }],
    transports: {
      docker: Object.fromEntries(SCOPES.map((scope) => [scope, [{ type: 'signedBaseLayer', baseLayerIdentity: { type: 'exactRepository', dockerRepository: `scope.example/${String(SCOPES.indexOf(scope))}` } }]])),
      atomic: { 'this.does-not/match:anything': [{ type: 'insecureAcceptAnything' }] },
    },
  }));
  const TABLE: readonly (readonly [string, string])[] = [
    ['deep.com/n1/n2/n3/repo:tag2', 'deep.com/n1/n2/n3/repo:tag2'],
    ['deep.com/n1/n2/n3/repo:nottag2', 'deep.com/n1/n2/n3/repo'],
    ['deep.com/n1/n2/n3/notrepo:tag2', 'deep.com/n1/n2/n3'],
    ['deep.com/n1/n2/notn3/repo:tag2', 'deep.com/n1/n2'],
    ['deep.com/n1/notn2/n3/repo:tag2', 'deep.com/n1'],
    ['deep.com/notn1/n2/n3/repo:tag2', 'deep.com'],
    ['very.deep.com/n1/n2/n3/repo:tag2', '*.deep.com'],
    ['not.very.deep.com/n1/n2/n3/repo:tag2', '*.very.deep.com'],
    ['this.does-not/match:anything', ''],
    ['deep.com:5000/n1/n2/n3/repo:tag2', ''], // host:port is not the scope deep.com; no *.com scope here
    ['xdeep.com/n1/repo:tag2', ''],
  ];
  for (const [reference, scope] of TABLE) {
    it(`${reference} → ${JSON.stringify(scope)}`, () => {
      const selected = requirementsFor(policy, reference);
      assert.equal(selected.scope, scope);
      assert.deepEqual(selected.requirements, policy.transports.get('docker')?.get(scope));
    });
  }

  it('wildcards never match the bare host and ignore the port', () => {
    const wildcard = parsePolicy(JSON.stringify({
      default: [{ type: 'reject' }],
      transports: { docker: { '*.deep.com': [{ type: 'insecureAcceptAnything' }] } },
    }));
    assert.equal(requirementsFor(wildcard, 'deep.com/repo:tag').scope, undefined);
    assert.equal(requirementsFor(wildcard, 'a.deep.com:5000/repo:tag').scope, '*.deep.com');
    assert.equal(requirementsFor(wildcard, 'a.b.deep.com/repo:tag').scope, '*.deep.com');
  });

  it('falls back to the global default when docker has no matching scope and no ""', () => {
    const noDefault = parsePolicy(JSON.stringify({ default: [{ type: 'reject' }], transports: { docker: { 'other.example': [{ type: 'insecureAcceptAnything' }] } } }));
    assert.deepEqual(requirementsFor(noDefault, 'this.does-not/match:anything'), { requirements: noDefault.default });
  });

  it('builds identities and namespaces from the expanded name only', () => {
    const busybox = parseNormalizedNamed('busybox');
    assert.equal(toPolicyIdentity(busybox), 'docker.io/library/busybox:latest');
    assert.deepEqual(toPolicyNamespaces(busybox), ['docker.io/library/busybox', 'docker.io/library', 'docker.io', '*.io']);
    const ported = parseNormalizedNamed('reg.example.com:5000/a/b:t');
    assert.equal(toPolicyIdentity(ported), 'reg.example.com:5000/a/b:t');
    assert.deepEqual(toPolicyNamespaces(ported), ['reg.example.com:5000/a/b', 'reg.example.com:5000/a', 'reg.example.com:5000', '*.example.com', '*.com']);
    assert.deepEqual(toPolicyNamespaces(parseNormalizedNamed('localhost:5000/x')), ['localhost:5000/x', 'localhost:5000']);
    assert.equal(toPolicyIdentity(parseNormalizedNamed(`reg.example/app@${D1}`)), `reg.example/app@${D1}`);
  });

  it('evaluates a tag+digest reference as name:tag (bob decision, scopes.ts)', () => {
    const both = parseNormalizedNamed(`reg.example/app:v1@${D1}`);
    assert.equal(toPolicyIdentity(both), 'reg.example/app:v1');
    const scoped = parsePolicy(JSON.stringify({
      default: [{ type: 'reject' }],
      transports: { docker: { 'reg.example/app:v1': [{ type: 'insecureAcceptAnything' }], [`reg.example/app@${D1}`]: [{ type: 'reject' }] } },
    }));
    assert.equal(requirementsFor(scoped, `reg.example/app:v1@${D1}`).scope, 'reg.example/app:v1');
    assert.equal(requirementsFor(scoped, `reg.example/app@${D1}`).scope, `reg.example/app@${D1}`);
  });
});

describe('verify/policy registries.d', () => {
  const config = parseRegistriesD([
    {
      name: 'a.yaml', text: [
        'default-docker:',
        '  lookaside: https://default.example/sigs',
        'docker:',
        '  example.com:',
        '    lookaside: https://example.com/lookaside',
        '    use-sigstore-attachments: true',
        '  example.com/ns/repo:',
        '    use-sigstore-attachments: false',
        '  example.com/ns:',
        '    sigstore: https://legacy.example.com/sigstore',
        '  localhost:',
        '    lookaside: file:///var/lib/localhost-sigs',
        '  "*.wild.example":',
        '    lookaside: https://wild.example/sigs',
        '    use-sigstore-attachments: true',
        '',
      ].join('\n'),
    },
    { name: 'b.yaml', text: 'docker:\n  registry.example/app:v1:\n    lookaside: https://tagged.example\n    unknown-key: ignored\n' },
    { name: 'ignored.yml', text: 'default-docker:\n  lookaside: https://never.example\n' },
  ]);
  const LOOKASIDE: readonly (readonly [string, string | undefined])[] = [
    ['example.com/ns/repo:latest', 'https://legacy.example.com/sigstore'], // repo section lacks lookaside: falls through to example.com/ns
    ['example.com/other:latest', 'https://example.com/lookaside'],
    ['localhost/busybox:latest', 'file:///var/lib/localhost-sigs'],
    ['localhost:9999/busybox:latest', 'https://default.example/sigs'], // the port must match
    ['a.wild.example/x:1', 'https://wild.example/sigs'],
    ['wild.example/x:1', 'https://default.example/sigs'],
    ['registry.example/app:v1', 'https://tagged.example'],
    ['registry.example/app:v2', 'https://default.example/sigs'],
  ];
  for (const [reference, expected] of LOOKASIDE) {
    it(`lookaside for ${reference}`, () => { assert.equal(lookasideFor(config, parseNormalizedNamed(reference)), expected); });
  }
  it('use-sigstore-attachments: the most specific section that sets it, default false', () => {
    assert.equal(usesSigstoreAttachments(config, parseNormalizedNamed('example.com/ns/repo:1')), false);
    assert.equal(usesSigstoreAttachments(config, parseNormalizedNamed('example.com/ns/other:1')), true); // example.com/ns lacks it: falls through
    assert.equal(usesSigstoreAttachments(config, parseNormalizedNamed('a.wild.example/x:1')), true);
    assert.equal(usesSigstoreAttachments(config, parseNormalizedNamed('elsewhere.example/x:1')), false);
    assert.equal(usesSigstoreAttachments(parseRegistriesD([]), parseNormalizedNamed('x.example/y:1')), false);
  });
  it('nothing configured gives no lookaside (bob has no local signature store)', () => {
    assert.equal(lookasideFor(parseRegistriesD([{ name: 'empty.yaml', text: '' }]), parseNormalizedNamed('busybox')), undefined);
  });

  const BROKEN: readonly (readonly [string, readonly { name: string; text: string }[], RegExp])[] = [
    ['default-docker twice', [{ name: 'a.yaml', text: 'default-docker:\n  lookaside: https://a\n' }, { name: 'b.yaml', text: 'default-docker:\n  lookaside: https://b\n' }],
      /"default-docker" defined both in "a.yaml" and "b.yaml"/],
    ['a namespace twice', [{ name: 'a.yaml', text: 'docker:\n  x.example:\n    lookaside: https://a\n' }, { name: 'b.yaml', text: 'docker:\n  x.example:\n' }],
      /"docker" namespace "x.example" defined both in "a.yaml" and "b.yaml"/],
    ['duplicate key', [{ name: 'a.yaml', text: 'docker:\n  x:\n    lookaside: a\n    lookaside: b\n' }], /invalid YAML/],
    ['invalid YAML', [{ name: 'a.yaml', text: 'docker: [\n' }], /invalid YAML/],
    ['boolean as string', [{ name: 'a.yaml', text: 'default-docker:\n  use-sigstore-attachments: "true"\n' }], /true or false/],
    ['lookaside not a string', [{ name: 'a.yaml', text: 'default-docker:\n  lookaside: [1]\n' }], /must be a string/],
    ['docker not a mapping', [{ name: 'a.yaml', text: 'docker: [a]\n' }], /must be a mapping/],
  ];
  for (const [name, files, message] of BROKEN) {
    it(`rejects ${name}`, () => {
      assert.throws(() => parseRegistriesD(files), (error: unknown) => isBobError(error, 'CONFIG_INVALID') && message.test(error.message));
    });
  }

  it('builds lookaside URLs as <base>/<repository path>@<algorithm>=<hex>/signature-<N>', () => {
    const busybox = parseNormalizedNamed('busybox');
    const hex = '817a12c32a39bbe394944ba49de563e085f1d3c5266eb8e9723256bc4448680e';
    assert.equal(toLookasideUrl('https://example.com/lookaside', busybox, `sha256:${hex}`, 1),
      `https://example.com/lookaside/library/busybox@sha256=${hex}/signature-1`);
    assert.equal(toLookasideUrl('https://example.com', busybox, `sha256:${hex}`, 2), `https://example.com/library/busybox@sha256=${hex}/signature-2`);
    assert.equal(toLookasideUrl('https://example.com/', busybox, `sha256:${hex}`, 3), `https://example.com//library/busybox@sha256=${hex}/signature-3`);
    assert.equal(toLookasideUrl('file:///var/lib/containers/sigstore', parseNormalizedNamed('localhost:5000/ns/app:1'), `sha256:${hex}`, 1),
      `file:///var/lib/containers/sigstore/ns/app@sha256=${hex}/signature-1`);
    assert.throws(() => toLookasideUrl('not a url', busybox, `sha256:${hex}`, 1), (error: unknown) => isBobError(error, 'CONFIG_INVALID'));
  });
});
