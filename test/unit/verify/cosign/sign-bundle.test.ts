// The cosign 3 bundle: the in-toto Statement means what cosign 3.1.3 signed
// (its protobuf-JSON adds random spaces, so bytes differ, values do not),
// DSSE's PAE matches the spec's example, the signature verifies over the
// PAE, and the key hint is the one cosign computed for its own key.
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { decryptPrivateKey } from '../../../../src/verify/cosign/key-file.ts';
import { toPae as toPreAuthEncoding } from '../../../../src/verify/cosign/dsse.ts';
import { toCosignBundle, toCosignStatement } from '../../../../src/verify/cosign/sign-bundle.ts';
import { toCosignSigner } from '../../../../src/verify/cosign/sign-key.ts';
import { toKeyHint as hintOfSpki } from '../../../../src/verify/public-key.ts';

const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const COSIGN_SIGN_PREDICATE_TYPE = 'https://sigstore.dev/cosign/sign/v1';
const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const toKeyHint = (key: KeyObject): string => hintOfSpki(new Uint8Array(key.export({ format: 'der', type: 'spki' })));

const SIGNED = 'sha256:64ae5ef5f65a02f05b83a58d853f6752286fbfb3e530d154a6fe49ed51682a49';
// The DSSE payload cosign 3.1.3 signed for SIGNED, decoded.
const COSIGN_STATEMENT = '{"_type":"https://in-toto.io/Statement/v1", "subject":[{"digest":{"sha256":"64ae5ef5f65a02f05b83a58d853f6752286fbfb3e530d154a6fe49ed51682a49"}, "annotations":{}}], "predicateType":"https://sigstore.dev/cosign/sign/v1", "predicate":{}}';
// A throwaway key pair made by cosign 3.1.3 (password "pw") and the publicKey.hint of the bundle it signed.
const COSIGN_PRIVATE_KEY = `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----
eyJrZGYiOnsibmFtZSI6InNjcnlwdCIsInBhcmFtcyI6eyJOIjo2NTUzNiwiciI6
OCwicCI6MX0sInNhbHQiOiJ5UVoyRlNxR1MwQWZKVTRLS2xlK0pYeEdGbDVTOFda
VmZ1Yzk0Tk43MlVnPSJ9LCJjaXBoZXIiOnsibmFtZSI6Im5hY2wvc2VjcmV0Ym94
Iiwibm9uY2UiOiJYdXl1UVRyQ1RYTk4xV0FKdm9GRU02SGhXS0ZkQ3FxNCJ9LCJj
aXBoZXJ0ZXh0IjoiN25SL0ZvU2xUTGQvdFVENlJzaTd0RnlWR0tFQzJicmJsU2NR
UEp3T084a0hLbmZzUWh3U1VoQnZNQU04QUoxTzY0eWVGK2RPRTlKbStmaXkyTEZp
Nk5hckk3dWIzSllmNDVJTlBCbUkxbG1EN0dJZ1o1cVQ0YXNLK0NTTFZvTkRDdW1s
bnV0VkVoenBxN1ZqVko2ZHcxL2duOVk5eHRmQlo4L25mdGZYbmFIeHNMYTkwTytk
allERG4yOTJTUGZ2d3FaTXFGSFMwcUNQYXc9PSJ9
-----END ENCRYPTED SIGSTORE PRIVATE KEY-----
`;
const COSIGN_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAELOsanmE3prb14fr4T2XMtKmya732
M3d/SSJjFXTApG+iWCLruWhwoWzetLjy+rK4xzWgnuDK2++meLKZlrVdNw==
-----END PUBLIC KEY-----
`;
const COSIGN_HINT = 'DgiRlqNZXEAj2MFRvoYKP1ITZKf5EoMRWWOjiO/b+54=';

interface Bundle {
  mediaType: string;
  verificationMaterial: { publicKey: { hint: string } };
  dsseEnvelope: { payload: string; payloadType: string; signatures: { sig: string; keyid?: string }[] };
}

describe('verify/cosign bundle signature', () => {
  it('signs the in-toto Statement cosign 3 signs, compactly', () => {
    const statement = new TextDecoder().decode(toCosignStatement(SIGNED));
    assert.deepEqual(JSON.parse(statement), JSON.parse(COSIGN_STATEMENT));
    assert.equal(statement, COSIGN_STATEMENT.replaceAll(', ', ','));
  });

  it('refuses a malformed subject digest', () => {
    assert.throws(() => toCosignStatement('sha256:abc'), { code: 'SIGNING_FAILED' });
  });

  it('encodes DSSE PAE as the DSSE protocol example does', () => {
    const pae = toPreAuthEncoding('http://example.com/HelloWorld', new TextEncoder().encode('hello world'));
    assert.equal(new TextDecoder().decode(pae), 'DSSEv1 29 http://example.com/HelloWorld 11 hello world');
    // Lengths are byte counts, not characters.
    assert.equal(new TextDecoder().decode(toPreAuthEncoding('t', new TextEncoder().encode('é'))), 'DSSEv1 1 t 2 é');
  });

  it('computes the key hint cosign computed for its own key', async () => {
    assert.equal(toKeyHint(createPublicKey(COSIGN_PUBLIC_KEY)), COSIGN_HINT);
    assert.equal(toCosignSigner(await decryptPrivateKey(COSIGN_PRIVATE_KEY, 'pw')).keyHint, COSIGN_HINT);
  });

  it('writes a keyed, offline v0.3 bundle whose DSSE signature verifies over the PAE', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const bundle = JSON.parse(new TextDecoder().decode(toCosignBundle(toCosignSigner(privateKey), SIGNED))) as Bundle;
    assert.deepEqual(Object.keys(bundle), ['mediaType', 'verificationMaterial', 'dsseEnvelope']);
    assert.equal(bundle.mediaType, BUNDLE_MEDIA_TYPE);
    assert.deepEqual(bundle.verificationMaterial, { publicKey: { hint: toKeyHint(publicKey) } });
    assert.equal(bundle.dsseEnvelope.payloadType, IN_TOTO_PAYLOAD_TYPE);
    const [signature, ...more] = bundle.dsseEnvelope.signatures;
    assert.equal(more.length, 0);
    assert.deepEqual(Object.keys(signature ?? {}), ['sig']);
    const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64');
    assert.equal((JSON.parse(payload.toString('utf8')) as { predicateType: string }).predicateType, COSIGN_SIGN_PREDICATE_TYPE);
    const sig = Buffer.from(signature?.sig ?? '', 'base64');
    assert.ok(verify('sha256', toPreAuthEncoding(IN_TOTO_PAYLOAD_TYPE, payload), publicKey, sig));
    // Over the PAE, not the bare payload.
    assert.equal(verify('sha256', payload, publicKey, sig), false);
  });
});
