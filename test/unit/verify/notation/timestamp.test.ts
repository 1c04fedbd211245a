import assert from 'node:assert/strict';
import { createHash, sign } from 'node:crypto';
import { evaluateSignature } from '../../../../src/verify/notation/evaluate.ts';
import { parseJwsEnvelope } from '../../../../src/verify/notation/jws.ts';
import { parseTrustPolicy, type TrustPolicyStatement } from '../../../../src/verify/notation/trust-policy.ts';
import { loadTrustStore } from '../../../../src/verify/notation/trust-store.ts';
import { makeJws, SUBJECT } from './envelopes.ts';
import {
  certificate, codeSigningChain, explicit, integer, keyPair, KU, nullValue, octets, oid, OIDS, seq, set, tlv, type IssuedCertificate,
} from './pki.ts';

const DAY = 86_400_000;
const SHA256 = '2.16.840.1.101.3.4.2.1';
const TST_INFO = '1.2.840.113549.1.9.16.1.4';

function generalizedTime(date: Date): Buffer {
  return tlv(0x18, Buffer.from(date.toISOString().replace(/[-:T]/g, '').replace(/\.\d{3}Z$/, 'Z'), 'latin1'));
}

function tsa(name: string): { root: IssuedCertificate; leaf: IssuedCertificate } {
  const root = certificate({
    subject: [['C', 'US'], ['ST', 'WA'], ['O', name], ['CN', `${name} TSA Root`]], key: keyPair(`p256#${name}-tsa-root`),
    basicConstraints: { ca: true }, keyUsage: { bits: [KU.keyCertSign] }, notBefore: new Date(Date.now() - 30 * DAY),
  });
  const leaf = certificate({
    subject: [['C', 'US'], ['ST', 'WA'], ['O', name], ['CN', `${name} TSA`]], key: keyPair(`p256#${name}-tsa`), issuer: { certificate: root },
    serial: 4242, keyUsage: { bits: [KU.digitalSignature] }, extKeyUsage: { oids: [OIDS.timeStamping], critical: true },
    notBefore: new Date(Date.now() - 30 * DAY),
  });
  return { root, leaf };
}

/** An RFC 3161 TimeStampToken (CMS SignedData) over `signature`, signed by `authority`. */
function timestampToken(signature: Uint8Array, genTime: Date, authority: { root: IssuedCertificate; leaf: IssuedCertificate }): Buffer {
  const tstInfo = seq(
    integer(1), oid('1.2.3.4'), seq(seq(oid(SHA256), nullValue()), octets(createHash('sha256').update(signature).digest())),
    integer(7), generalizedTime(genTime), seq(integer(1)),
  );
  const attributes = [
    seq(oid('1.2.840.113549.1.9.3'), set(oid(TST_INFO))),
    seq(oid('1.2.840.113549.1.9.4'), set(octets(createHash('sha256').update(tstInfo).digest()))),
  ];
  const attributeSignature = sign('sha256', set(...attributes), authority.leaf.spec.key.privateKey);
  const signerInfo = seq(
    integer(1), seq(authority.root.subjectName, integer(4242)), seq(oid(SHA256)), tlv(0xa0, ...attributes),
    seq(oid('1.2.840.10045.4.3.2')), octets(attributeSignature),
  );
  const signedData = seq(
    integer(3), set(seq(oid(SHA256))), seq(oid(TST_INFO), explicit(0, octets(tstInfo))),
    tlv(0xa0, authority.leaf.der, authority.root.der), set(signerInfo),
  );
  return seq(oid('1.2.840.113549.1.7.2'), explicit(0, signedData));
}

function onlyStatement(json: string): TrustPolicyStatement {
  const [statement] = parseTrustPolicy(json).trustPolicies;
  if (statement === undefined) throw new Error('no statement');
  return statement;
}

describe('verify/notation: RFC 3161 timestamp countersignatures', () => {
  const trusted = tsa('Acme');
  const untrusted = tsa('Rogue');
  // A signing certificate that expired yesterday, valid when the timestamp was taken five days ago.
  const chain = codeSigningChain({ leafKey: 'p256#ts-leaf', root: { notBefore: new Date(Date.now() - 30 * DAY) }, leaf: { notBefore: new Date(Date.now() - 10 * DAY), notAfter: new Date(Date.now() - DAY) } });
  const store = loadTrustStore(new Map([['ca:acme', [chain.root.der]], ['tsa:acme', [trusted.root.der]]]));
  const statement = onlyStatement(JSON.stringify({
    version: '1.0',
    trustPolicies: [{ name: 'p', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:acme', 'tsa:acme'], trustedIdentities: ['*'] }],
  }));

  function evaluateWith(token: (signature: Uint8Array) => Buffer): ReturnType<typeof evaluateSignature> {
    const unsigned = makeJws({ key: chain.leafKey.privateKey, chain: [chain.leaf.der, chain.root.der] });
    const signature = parseJwsEnvelope(unsigned).signature;
    const document = JSON.parse(unsigned.toString()) as { header: Record<string, unknown> };
    document.header['io.cncf.notary.timestampSignature'] = token(signature).toString('base64');
    return evaluateSignature({ envelope: Buffer.from(JSON.stringify(document)), mediaType: 'application/jose+json', statement, trustStore: store, descriptor: SUBJECT, now: new Date() });
  }

  it('accepts an expired signing certificate when a trusted timestamp falls inside its validity', () => {
    const genTime = new Date(Math.floor((Date.now() - 5 * DAY) / 1000) * 1000);
    const result = evaluateWith((signature) => timestampToken(signature, genTime, trusted));
    assert.equal(result.outcome, 'verified', JSON.stringify(result));
    assert.equal(result.signedAt?.getTime(), genTime.getTime() - 1000);
  });

  it('refuses a timestamp over other bytes, from an untrusted TSA, or outside the certificate validity', () => {
    const genTime = new Date(Date.now() - 5 * DAY);
    const other = evaluateWith(() => timestampToken(Buffer.from('other'), genTime, trusted));
    assert.ok(other.outcome === 'failed' && other.code === 'TIMESTAMP_INVALID');
    assert.match(other.reason, /message imprint does not match the signature/);
    const rogue = evaluateWith((signature) => timestampToken(signature, genTime, untrusted));
    assert.ok(rogue.outcome === 'failed' && rogue.code === 'TIMESTAMP_INVALID');
    assert.match(rogue.reason, /does not chain to a certificate of the tsa trust store/);
    const late = evaluateWith((signature) => timestampToken(signature, new Date(Date.now() - 3_600_000), trusted));
    assert.ok(late.outcome === 'failed' && late.code === 'CERTIFICATE_EXPIRED');
    assert.match(late.reason, /timestamp can be after certificate .* validity period/);
    const garbage = evaluateWith(() => Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]));
    assert.ok(garbage.outcome === 'failed' && garbage.code === 'TIMESTAMP_INVALID');
  });
});
