import assert from 'node:assert/strict';
import { CborError, decodeCbor, encodeCbor, isCborMap, isCborTag } from '../../../../src/verify/notation/cbor.ts';
import { parseCoseEnvelope, signCoseEnvelope } from '../../../../src/verify/notation/cose.ts';
import { EnvelopeError, verifyEnvelopeIntegrity } from '../../../../src/verify/notation/envelope.ts';
import { defaultCoseHeaders, epoch, makeCose, payloadFor } from './envelopes.ts';
import { codeSigningChain } from './pki.ts';

function failure(envelope: Uint8Array): { code: string; message: string } {
  try {
    verifyEnvelopeIntegrity(parseCoseEnvelope(envelope));
  } catch (error) {
    if (error instanceof EnvelopeError) return { code: error.code, message: error.message };
    throw error;
  }
  return assert.fail('expected the envelope to be refused');
}

describe('verify/notation: CBOR', () => {
  it('decodes definite-length items and round-trips what it encodes', () => {
    const value = { kind: 'map' as const, entries: [[1, -7], ['a', [Uint8Array.of(1, 2), 'text', { kind: 'tag' as const, tag: 1, value: 1_700_000_000 }]]] as const };
    const decoded = decodeCbor(encodeCbor(value));
    assert.ok(isCborMap(decoded));
    assert.deepEqual(decoded.entries[0], [1, -7]);
    assert.deepEqual(decodeCbor(Uint8Array.of(0x1b, 0, 0, 0, 1, 0, 0, 0, 0)), 2 ** 32);
    assert.equal(decodeCbor(Uint8Array.of(0xf9, 0x3c, 0x00)), 1);
    assert.equal(decodeCbor(Uint8Array.of(0xf5)), true);
  });

  const refusals: [string, number[], RegExp][] = [
    ['indefinite-length array', [0x9f, 0x01, 0xff], /indefinite-length/],
    ['indefinite-length byte string', [0x5f, 0x41, 0x00, 0xff], /indefinite-length/],
    ['trailing bytes', [0x01, 0x02], /unexpected data after/],
    ['truncated byte string', [0x45, 0x01], /truncated/],
    ['array count beyond the input', [0x9a, 0xff, 0xff, 0xff, 0xff], /truncated/],
    ['duplicate map key', [0xa2, 0x01, 0x01, 0x01, 0x02], /duplicate CBOR map key 1/],
    ['byte-string map key', [0xa1, 0x41, 0x00, 0x01], /map key must be an integer or text/],
    ['invalid UTF-8 text', [0x62, 0xc3, 0x28], /not valid UTF-8/],
    ['reserved additional information', [0x1c], /reserved/],
    ['64-bit integer beyond 2^53', [0x1b, 0xff, 0, 0, 0, 0, 0, 0, 0], /too large/],
    ['lone break', [0xff], /break/],
  ];
  for (const [what, bytes, pattern] of refusals) {
    it(`refuses ${what}`, () => {
      assert.throws(() => decodeCbor(Uint8Array.from(bytes)), (error: unknown) => error instanceof CborError && pattern.test(error.message));
    });
  }

  it('refuses nesting beyond its depth limit', () => {
    assert.throws(() => decodeCbor(Uint8Array.from([...Array<number>(40).fill(0x81), 0x01])), /nested too deeply/);
  });
});

describe('verify/notation: COSE envelopes', () => {
  const ec = codeSigningChain();
  const chain = [ec.leaf.der, ec.root.der];
  const key = ec.leafKey.privateKey;
  const rsa = codeSigningChain({ leafKey: 'rsa2048' });
  const rsaChain = [rsa.leaf.der, rsa.root.der];

  it('accepts a valid ES256 envelope', () => {
    const envelope = parseCoseEnvelope(makeCose({ key, chain }));
    verifyEnvelopeIntegrity(envelope);
    assert.equal(envelope.algorithm, 'ES256');
    assert.equal(envelope.saltRule, 'digest');
  });

  it('round-trips what signCoseEnvelope writes, with notation\'s header order', () => {
    const bytes = signCoseEnvelope({
      algorithm: 'PS256', key: rsa.leafKey.privateKey, payload: payloadFor(), certificateChain: rsaChain,
      signingTime: new Date('2026-01-01T00:00:00Z'), expiry: new Date('2027-01-01T00:00:00Z'), signingAgent: 'bob',
    });
    const message = decodeCbor(bytes);
    assert.ok(isCborTag(message) && message.tag === 18);
    const [protectedBytes] = message.value as Uint8Array[];
    const headers = decodeCbor(protectedBytes ?? new Uint8Array());
    assert.ok(isCborMap(headers));
    assert.deepEqual(headers.entries.map(([label]) => label), [1, 2, 3, 'io.cncf.notary.expiry', 'io.cncf.notary.signingTime', 'io.cncf.notary.signingScheme']);
    const envelope = parseCoseEnvelope(bytes);
    verifyEnvelopeIntegrity(envelope);
    assert.equal(envelope.signingTime?.toISOString(), '2026-01-01T00:00:00.000Z');
  });

  it('requires RSA-PSS salt = hash length (go-cose), unlike JWS', () => {
    verifyEnvelopeIntegrity(parseCoseEnvelope(makeCose({ key: rsa.leafKey.privateKey, chain: rsaChain, alg: 'PS256', saltLength: 32 })));
    for (const saltLength of [0, 20, 222]) {
      assert.match(failure(makeCose({ key: rsa.leafKey.privateKey, chain: rsaChain, alg: 'PS256', saltLength })).message, /signature is invalid/);
    }
  });

  it('refuses an alg that does not match the leaf key, and unknown algorithms', () => {
    const headers = defaultCoseHeaders('ES384');
    assert.match(failure(makeCose({ key, chain, alg: 'ES256', headers })).message, /mismatch between signature algorithm derived from signing certificate \(ES256\)/);
    const unknown = defaultCoseHeaders();
    unknown[0] = [1, -8];
    assert.match(failure(makeCose({ key, chain, headers: unknown })).message, /signature algorithm -8 is not supported/);
  });

  it('verifies over the exact protected bytes (a non-canonical but valid encoding is fine; re-encoding would break it)', () => {
    // Same map, but the alg value -7 written with a one-byte argument (0x38 0x06) instead of 0x26.
    const canonical = Buffer.from(encodeCbor({ kind: 'map', entries: defaultCoseHeaders() }));
    const index = canonical.indexOf(Buffer.from([0x01, 0x26]));
    const loose = Buffer.concat([canonical.subarray(0, index + 1), Buffer.from([0x38, 0x06]), canonical.subarray(index + 2)]);
    verifyEnvelopeIntegrity(parseCoseEnvelope(makeCose({ key, chain, protectedBytes: loose })));
  });

  it('refuses structural problems', () => {
    assert.match(failure(makeCose({ key, chain, tag: 98 })).message, /not a tagged COSE_Sign1/);
    assert.match(failure(encodeCbor([Uint8Array.of(0xa0), { kind: 'map', entries: [] }, Uint8Array.of(), Uint8Array.of()]))
      .message, /not a tagged COSE_Sign1/);
    assert.match(failure(Uint8Array.of(0xd2, 0x83, 0x40, 0xa0, 0x40)).message, /array of 4 items/);
    assert.match(failure(Uint8Array.of(0xd2, 0x84, 0x40, 0xa0, 0xf6, 0x40)).message, /detached payloads are not supported/);
    assert.match(failure(Buffer.concat([makeCose({ key, chain }), Buffer.of(0)])).message, /not valid CBOR: unexpected data after/);
    assert.match(failure(Uint8Array.of(0xd2, 0x9f, 0xff)).message, /indefinite-length/);
  });

  it('requires x5chain as an array of byte strings in the unprotected bucket', () => {
    assert.match(failure(makeCose({ key, chain, unprotected: [[33, ec.leaf.der]] })).message, /certificate chain is not present/);
    assert.match(failure(makeCose({ key, chain, unprotected: [] })).message, /certificate chain is not present/);
    assert.match(failure(makeCose({ key, chain, unprotected: [[33, ['x']]] })).message, /x5chain entries must be byte strings/);
  });

  it('refuses a label in both buckets, and crit or alg unprotected', () => {
    assert.match(failure(makeCose({ key, chain, unprotected: [[33, [...chain]], [3, 'x']] })).message, /in both the protected and unprotected/);
    assert.match(failure(makeCose({ key, chain, unprotected: [[33, [...chain]], [2, []]] })).message, /must be protected/);
  });

  it('applies the crit and time-header rules', () => {
    const without = defaultCoseHeaders().filter(([label]) => label !== 2);
    assert.match(failure(makeCose({ key, chain, headers: without })).message, /missing "crit" header/);
    const expiry = [...defaultCoseHeaders(), ['io.cncf.notary.expiry', epoch(new Date(Date.now() + 86_400_000))]] as ReturnType<typeof defaultCoseHeaders>;
    assert.match(failure(makeCose({ key, chain, headers: expiry })).message, /not marked as critical: "io.cncf.notary.expiry"/);
    const numericCrit = defaultCoseHeaders();
    numericCrit[1] = [2, ['io.cncf.notary.signingScheme', 1]];
    assert.match(failure(makeCose({ key, chain, headers: numericCrit })).message, /marked critical/);
    const stringTime = defaultCoseHeaders();
    stringTime[4] = ['io.cncf.notary.signingTime', '2026-01-01T00:00:00Z'];
    assert.match(failure(makeCose({ key, chain, headers: stringTime })).message, /must be a CBOR tag 1 epoch time/);
    const untagged = defaultCoseHeaders();
    untagged[4] = ['io.cncf.notary.signingTime', 1_700_000_000];
    assert.match(failure(makeCose({ key, chain, headers: untagged })).message, /must be a CBOR tag 1 epoch time/);
    const contentType = defaultCoseHeaders();
    contentType[2] = [3, 'application/json'];
    assert.equal(failure(makeCose({ key, chain, headers: contentType })).code, 'PAYLOAD_INVALID');
  });

  it('refuses a tampered payload or signature', () => {
    const bytes = makeCose({ key, chain });
    const index = bytes.indexOf(Buffer.from('sha256:aaaa'));
    const tampered = Buffer.from(bytes);
    tampered[index + 8] = 0x62; // 'b'
    assert.match(failure(tampered).message, /signature is invalid/);
  });
});
