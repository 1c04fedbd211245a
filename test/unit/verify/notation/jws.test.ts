import assert from 'node:assert/strict';
import { constants, sign } from 'node:crypto';
import { EnvelopeError, verifyEnvelopeIntegrity } from '../../../../src/verify/notation/envelope.ts';
import { parseJwsEnvelope, signJwsEnvelope } from '../../../../src/verify/notation/jws.ts';
import { defaultJwsHeaders, makeJws, payloadFor } from './envelopes.ts';
import { codeSigningChain, keyPair } from './pki.ts';

function failure(envelope: Buffer): { code: string; message: string } {
  try {
    verifyEnvelopeIntegrity(parseJwsEnvelope(envelope));
  } catch (error) {
    if (error instanceof EnvelopeError) return { code: error.code, message: error.message };
    throw error;
  }
  return assert.fail('expected the envelope to be refused');
}

describe('verify/notation: JWS envelopes', () => {
  const ec = codeSigningChain();
  const chain = [ec.leaf.der, ec.root.der];
  const key = ec.leafKey.privateKey;
  const rsa = codeSigningChain({ leafKey: 'rsa2048' });
  const rsaChain = [rsa.leaf.der, rsa.root.der];

  it('accepts a valid ES256 envelope and exposes its attributes', () => {
    const envelope = parseJwsEnvelope(makeJws({ key, chain }));
    const { chain: parsed } = verifyEnvelopeIntegrity(envelope);
    assert.equal(envelope.algorithm, 'ES256');
    assert.equal(envelope.signingScheme, 'notary.x509');
    assert.ok(envelope.signingTime instanceof Date);
    assert.equal(envelope.signingAgent, 'test');
    assert.equal(parsed.length, 2);
    assert.deepEqual(JSON.parse(Buffer.from(envelope.payload).toString()), JSON.parse(payloadFor().toString()));
  });

  it('round-trips what signJwsEnvelope writes (PS256, expiry)', () => {
    const bytes = signJwsEnvelope({
      algorithm: 'PS256', key: rsa.leafKey.privateKey, payload: payloadFor(), certificateChain: rsaChain,
      signingTime: new Date('2026-01-01T00:00:00Z'), expiry: new Date('2027-01-01T00:00:00Z'), signingAgent: 'bob',
    });
    const document = JSON.parse(Buffer.from(bytes).toString()) as { protected: string };
    assert.equal(Buffer.from(document.protected, 'base64url').toString(),
      '{"alg":"PS256","crit":["io.cncf.notary.signingScheme","io.cncf.notary.expiry"],"cty":"application/vnd.cncf.notary.payload.v1+json","io.cncf.notary.expiry":"2027-01-01T00:00:00Z","io.cncf.notary.signingScheme":"notary.x509","io.cncf.notary.signingTime":"2026-01-01T00:00:00Z"}');
    const envelope = parseJwsEnvelope(bytes);
    verifyEnvelopeIntegrity(envelope);
    assert.equal(envelope.expiry?.toISOString(), '2027-01-01T00:00:00.000Z');
  });

  it('verifies RSA-PSS with any salt length (golang-jwt PSSSaltLengthAuto)', () => {
    for (const saltLength of [0, 20, 32, constants.RSA_PSS_SALTLEN_MAX_SIGN]) {
      verifyEnvelopeIntegrity(parseJwsEnvelope(makeJws({ key: rsa.leafKey.privateKey, chain: rsaChain, alg: 'PS256', saltLength })));
    }
  });

  it('refuses an alg that does not match the leaf key', () => {
    const refused = failure(makeJws({ key, chain, headers: { alg: 'ES384' } }));
    assert.equal(refused.code, 'SIGNATURE_INVALID');
    assert.match(refused.message, /mismatch between signature algorithm derived from signing certificate \(ES256\) and signing algorithm specified \(ES384\)/);
    const rsaAsEc = failure(makeJws({ key: rsa.leafKey.privateKey, chain: rsaChain, alg: 'PS256', headers: { alg: 'PS512' } }));
    assert.match(rsaAsEc.message, /derived from signing certificate \(PS256\)/);
  });

  it('refuses unsupported algorithms (RS256, none, HS256)', () => {
    for (const alg of ['RS256', 'none', 'HS256', 'EdDSA']) {
      assert.match(failure(makeJws({ key, chain, headers: { alg } })).message, /signature algorithm .* is not supported/);
    }
  });

  it('refuses a signature that does not verify, or a DER-encoded ECDSA signature', () => {
    const envelope = JSON.parse(makeJws({ key, chain }).toString()) as Record<string, string>;
    const signature = Buffer.from(envelope['signature'] ?? '', 'base64url');
    signature[5] = (signature[5] ?? 0) ^ 1;
    assert.match(failure(Buffer.from(JSON.stringify({ ...envelope, signature: signature.toString('base64url') }))).message, /signature is invalid/);
    const other = codeSigningChain({ leafKey: 'p256#other' });
    assert.match(failure(makeJws({ key: other.leafKey.privateKey, chain })).message, /signature is invalid/);
    const protectedText = String(envelope['protected']);
    const der = sign('sha256', Buffer.from(`${protectedText}.${String(envelope['payload'])}`), key);
    assert.match(failure(Buffer.from(JSON.stringify({ ...envelope, signature: der.toString('base64url') }))).message, /signature is invalid/);
  });

  it('refuses a payload changed after signing', () => {
    const envelope = JSON.parse(makeJws({ key, chain }).toString()) as Record<string, string>;
    const tampered = { ...envelope, payload: payloadFor({ mediaType: 'x', digest: 'sha256:00', size: 1 }).toString('base64url') };
    assert.equal(failure(Buffer.from(JSON.stringify(tampered))).code, 'SIGNATURE_INVALID');
  });

  it('requires crit with the signing scheme, and every required header marked critical', () => {
    assert.match(failure(makeJws({ key, chain, headers: { crit: undefined } })).message, /missing "crit" header/);
    assert.match(failure(makeJws({ key, chain, headers: { crit: [] } })).message, /missing "crit" header/);
    assert.match(failure(makeJws({ key, chain, headers: { crit: 'io.cncf.notary.signingScheme' } })).message, /"crit" header must be an array of strings/);
    assert.match(failure(makeJws({ key, chain, headers: { 'io.cncf.notary.expiry': new Date(Date.now() + 86_400_000).toISOString() } })).message,
      /these required headers are not marked as critical: "io.cncf.notary.expiry"/);
  });

  it('refuses unknown or absent critical headers and duplicates', () => {
    assert.match(failure(makeJws({ key, chain, headers: { crit: ['io.cncf.notary.signingScheme', 'io.example.missing'] } })).message,
      /"io.example.missing" header is marked critical but not present/);
    assert.match(failure(makeJws({ key, chain, headers: { crit: ['io.cncf.notary.signingScheme', 'io.example.ext'], 'io.example.ext': 'x' } })).message,
      /"io.example.ext" header is marked critical but is not supported/);
    assert.match(failure(makeJws({ key, chain, headers: { crit: ['io.cncf.notary.signingScheme', 'io.cncf.notary.signingScheme'] } })).message, /twice/);
  });

  it('refuses a verification plugin header (bob runs no plugins)', () => {
    assert.match(failure(makeJws({ key, chain, headers: { 'io.cncf.notary.verificationPlugin': 'acme' } })).message, /verification plugin/);
  });

  it('enforces the time headers of each signing scheme', () => {
    const time = new Date(Date.now() - 60_000).toISOString();
    assert.match(failure(makeJws({ key, chain, headers: { 'io.cncf.notary.signingTime': undefined } })).message, /signingTime" header is missing for notary.x509/);
    assert.match(failure(makeJws({ key, chain, headers: { 'io.cncf.notary.authenticSigningTime': time, crit: ['io.cncf.notary.signingScheme', 'io.cncf.notary.authenticSigningTime'] } })).message,
      /authenticSigningTime" header must not be present for notary.x509/);
    const authority = { 'io.cncf.notary.signingScheme': 'notary.x509.signingAuthority' };
    assert.match(failure(makeJws({ key, chain, headers: authority })).message, /signingTime" header must not be present for notary.x509.signingAuthority/);
    assert.match(failure(makeJws({ key, chain, headers: { ...authority, 'io.cncf.notary.signingTime': undefined } })).message,
      /authenticSigningTime" header is missing for notary.x509.signingAuthority/);
    assert.match(failure(makeJws({ key, chain, headers: { 'io.cncf.notary.signingScheme': 'notary.default' } })).message, /signing scheme "notary.default" is not supported/);
    assert.match(failure(makeJws({ key, chain, headers: { 'io.cncf.notary.signingTime': '2026-01-01 00:00:00' } })).message, /RFC 3339/);
    assert.match(failure(makeJws({ key, chain, headers: { 'io.cncf.notary.signingTime': 1_700_000_000 } })).message, /RFC 3339/);
    const ok = parseJwsEnvelope(makeJws({ key, chain, headers: { ...authority, 'io.cncf.notary.signingTime': undefined, 'io.cncf.notary.authenticSigningTime': time, crit: ['io.cncf.notary.signingScheme', 'io.cncf.notary.authenticSigningTime'] } }));
    assert.equal(ok.signingScheme, 'notary.x509.signingAuthority');
  });

  it('refuses an expiry not after the signing time', () => {
    const at = '2026-01-01T00:00:00Z';
    const headers = { 'io.cncf.notary.signingTime': at, 'io.cncf.notary.expiry': at, crit: ['io.cncf.notary.signingScheme', 'io.cncf.notary.expiry'] };
    assert.match(failure(makeJws({ key, chain, headers })).message, /expiry time cannot be equal or before the signing time/);
  });

  it('refuses a payload content type other than the notary payload', () => {
    const refused = failure(makeJws({ key, chain, headers: { cty: 'application/json' } }));
    assert.equal(refused.code, 'PAYLOAD_INVALID');
    assert.match(refused.message, /payload content type "application\/json" not supported/);
  });

  it('refuses non-canonical base64 in each field', () => {
    const envelope = JSON.parse(makeJws({ key, chain }).toString()) as Record<string, unknown>;
    const payload = String(envelope['payload']);
    assert.match(failure(Buffer.from(JSON.stringify({ ...envelope, payload: `${payload}=` }))).message, /"payload" is not canonical/);
    assert.match(failure(Buffer.from(JSON.stringify({ ...envelope, payload: payload.replace(/-/g, '+').replace(/_/g, '/') + (payload.includes('-') || payload.includes('_') ? '' : '+') }))).message, /"payload" is not canonical/);
    const header = envelope['header'] as { x5c: string[] };
    const unpadded = { ...header, x5c: header.x5c.map((entry) => entry.replace(/=+$/, '')) };
    if (unpadded.x5c.some((entry, index) => entry !== header.x5c[index])) {
      assert.match(failure(Buffer.from(JSON.stringify({ ...envelope, header: unpadded }))).message, /"x5c"\[\d\] is not canonical standard base64/);
    }
    const urlAlphabet = { ...header, x5c: [Buffer.from(chain[0] ?? []).toString('base64url')] };
    assert.match(failure(Buffer.from(JSON.stringify({ ...envelope, header: urlAlphabet }))).message, /"x5c"\[0\] is not canonical standard base64|x5c/);
  });

  it('refuses duplicate JSON keys, unknown top-level members and the general serialization', () => {
    const text = makeJws({ key, chain }).toString();
    assert.match(failure(Buffer.from(text.replace('{"payload"', '{"payload":"e30","payload"'))).message, /duplicate key "payload"/);
    assert.match(failure(makeJws({ key, chain, top: { signatures: [] } })).message, /unsupported members "signatures"/);
    const headers = JSON.stringify(defaultJwsHeaders()).replace('{"alg":"ES256"', '{"alg":"ES256","alg":"ES256"');
    assert.match(failure(makeJws({ key, chain, protectedText: Buffer.from(headers).toString('base64url') })).message, /protected header is not valid JSON: duplicate key "alg"/);
  });

  it('requires a certificate chain in x5c', () => {
    assert.match(failure(makeJws({ key, chain: [] })).message, /certificate chain is not present/);
    assert.match(failure(makeJws({ key, chain, unprotected: { x5c: 'abc' } })).message, /certificate chain is not present/);
  });

  it('refuses a leaf key notation does not support (RSA 1024 via PS256, secp256k1)', () => {
    const small = codeSigningChain({ leafKey: 'rsa1024' });
    const refused = failure(makeJws({ key: small.leafKey.privateKey, chain: [small.leaf.der, small.root.der], alg: 'PS256' }));
    assert.equal(refused.code, 'CERTIFICATE_INVALID');
    assert.match(refused.message, /RSA 1024 is not supported/);
    keyPair('secp256k1');
  });
});
