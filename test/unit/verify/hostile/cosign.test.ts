// Hostile inputs against the cosign provider (research/reliability.md §1.4,
// §6 rows 27-32): every case ends in a rejection whose code AND reason are
// asserted, on bytes built in-process (no module mocking; the registry is an
// in-memory fake answering the client calls).
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign, X509Certificate } from 'node:crypto';
import { isBobError } from '../../../../src/shared/index.ts';
import { verifyBundle } from '../../../../src/verify/cosign/bundle.ts';
import { toPae } from '../../../../src/verify/cosign/dsse.ts';
import { verifyLegacyAttestation, verifyLegacySignature } from '../../../../src/verify/cosign/legacy.ts';
import { toCosignTrust, type CosignVerifierOptions } from '../../../../src/verify/cosign/trust.ts';
import { createCosignVerifier, type Rejected, type Verdict } from '../../../../src/verify/index.ts';
import { basicConstraints, buildCertificate, keyUsage } from '../../../fixtures/sigstore/certificates.ts';
import { createTestPki } from '../../../fixtures/sigstore/pki.ts';
import {
  bundleJson, DIGEST, dsseEnvelope, ecKey, encode, ISSUER, keyHintOf, legacyLayer, OTHER_DIGEST, rejectionOf, simplePayload, statement,
} from '../cosign/helpers.ts';
import { attTag, contextFor, fakeRegistry, SUBJECT, sigTag, type FakeLayer } from './fake-registry.ts';

const NOW = new Date();
const UNKNOWN_OID = '1.2.3.4.5';
const pki = createTestPki(NOW);
const signer = ecKey();
const SIGN = 'https://sigstore.dev/cosign/sign/v1';
const CUSTOM = 'https://cosign.sigstore.dev/attestation/v1';
const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
const DSSE = 'application/vnd.dsse.envelope.v1+json';
const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const keyedOptions: CosignVerifierOptions = { publicKeys: [{ name: 'cosign.pub', pem: signer.pem }], ignoreTlog: true };
const keyed = (extra: Partial<CosignVerifierOptions> = {}) => toCosignTrust({ ...keyedOptions, ...extra });
const keyless = (extra: Partial<CosignVerifierOptions> = {}) => toCosignTrust({
  keyless: { identities: [{ subjectRegExp: '.*@corp\\.com', issuer: ISSUER }] }, trustedRoot: pki.trustedRoot(), ignoreSct: true, ignoreTlog: true, ...extra,
});

/** A non-canonical spelling of standard base64 `text`: padding dropped, or a stray one added when there is none. */
function unpadded(text: string): string {
  return text.endsWith('=') ? text.replace(/=+$/, '') : `${text}=`;
}

function rejected(verdict: Verdict): Rejected {
  assert.equal(verdict.outcome, 'rejected', JSON.stringify(verdict));
  return verdict;
}

function sigLayer(payload = simplePayload(DIGEST), annotations: Record<string, string> = {}): FakeLayer {
  const layer = legacyLayer(signer.privateKey, payload, annotations);
  return { bytes: payload, mediaType: SIMPLE_SIGNING, annotations: { ...layer.annotations } };
}

/** A Rekor `dsse` 0.0.1 entry with an inclusion promise, as a bundle tlogEntries item, for `signature` over `payload`. */
function dsseTlogEntry(signature: Uint8Array, payload: Uint8Array, integratedTime: Date): Record<string, unknown> {
  const body = Buffer.from(JSON.stringify({
    apiVersion: '0.0.1', kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: createHash('sha256').update('envelope').digest('hex') },
      payloadHash: { algorithm: 'sha256', value: createHash('sha256').update(payload).digest('hex') },
      signatures: [{ signature: Buffer.from(signature).toString('base64'), verifier: Buffer.from(signer.pem).toString('base64') }],
    },
  }));
  const time = Math.floor(integratedTime.getTime() / 1000);
  const setPayload = { body: body.toString('base64'), integratedTime: time, logID: pki.rekor.logId.toString('hex'), logIndex: 7 };
  const canonical = `{${Object.keys(setPayload).sort().map((key) => `${JSON.stringify(key)}:${JSON.stringify(setPayload[key as keyof typeof setPayload])}`).join(',')}}`;
  return {
    logIndex: '7', logId: { keyId: pki.rekor.logId.toString('base64') }, kindVersion: { kind: 'dsse', version: '0.0.1' }, integratedTime: String(time),
    inclusionPromise: { signedEntryTimestamp: sign('sha256', Buffer.from(canonical), pki.rekor.privateKey).toString('base64') },
    canonicalizedBody: body.toString('base64'),
  };
}

describe('hostile inputs: cosign', () => {
  describe('row 27: counts and sizes are capped before work', () => {
    it('101 signature layers on the .sig tag: TOO_MANY_SIGNATURES, nothing downloaded', async () => {
      const layers = Array.from({ length: 101 }, () => sigLayer());
      const registry = fakeRegistry({ tags: { [sigTag()]: layers } });
      const verdict = rejected(await createCosignVerifier(keyedOptions).verify(SUBJECT, contextFor(registry.client)));
      assert.equal(verdict.code, 'TOO_MANY_SIGNATURES');
      assert.equal(verdict.reason, `${sigTag()} has 101 signatures, more than the limit of 100`);
      assert.equal(registry.blobFetches(), 0);
    });

    it('1001 layers on the .sig tag (any media type): TOO_MANY_SIGNATURES before any layer is read (CVE-2024-29903)', async () => {
      const layers = Array.from({ length: 1001 }, (_, index) => ({ bytes: Buffer.from(String(index)), mediaType: 'application/octet-stream' }));
      const registry = fakeRegistry({ tags: { [sigTag()]: layers } });
      const verdict = rejected(await createCosignVerifier(keyedOptions).verify(SUBJECT, contextFor(registry.client)));
      assert.equal(verdict.code, 'TOO_MANY_SIGNATURES');
      assert.equal(verdict.reason, `${sigTag()} has 1001 layers, more than the limit of 1000`);
      assert.equal(registry.blobFetches(), 0);
    });

    it('101 attestation layers on the .att tag: TOO_MANY_SIGNATURES', async () => {
      const envelope = encode(dsseEnvelope(signer.privateKey, statement(DIGEST, CUSTOM)).json);
      const registry = fakeRegistry({ tags: {
        [sigTag()]: [sigLayer()],
        [attTag()]: Array.from({ length: 101 }, () => ({ bytes: envelope, mediaType: DSSE, annotations: { predicateType: CUSTOM } })),
      } });
      const verdict = rejected(await createCosignVerifier({ ...keyedOptions, attestations: [CUSTOM] }).verify(SUBJECT, contextFor(registry.client)));
      assert.equal(verdict.code, 'TOO_MANY_SIGNATURES');
      assert.equal(verdict.reason, `${attTag()} has 101 attestations, more than the limit of 100`);
    });

    it('more bundle referrers than the limit: TOO_MANY_SIGNATURES', async () => {
      const bundle = encode(bundleJson(dsseEnvelope(ecKey().privateKey, statement(DIGEST)), { keyHint: 'AAAA' }));
      const referrers = Array.from({ length: 3 }, () => ({ artifactType: BUNDLE, layers: [{ bytes: bundle, mediaType: BUNDLE }] }));
      const registry = fakeRegistry({ referrers });
      const verdict = rejected(await createCosignVerifier(keyedOptions).verify(SUBJECT, contextFor(registry.client, { limits: { signatures: 2 } })));
      assert.equal(verdict.code, 'TOO_MANY_SIGNATURES');
      assert.equal(verdict.reason, `more than 2 signatures of type ${BUNDLE} refer to ${DIGEST}`);
    });

    it('a payload whose descriptor declares more than the limit: SIGNATURE_TOO_LARGE, not downloaded (CVE-2024-29902)', async () => {
      const layer = { ...sigLayer(), size: 200 * 1024 * 1024 };
      const registry = fakeRegistry({ tags: { [sigTag()]: [layer] } });
      const verdict = rejected(await createCosignVerifier(keyedOptions).verify(SUBJECT, contextFor(registry.client)));
      assert.equal(verdict.code, 'SIGNATURE_TOO_LARGE');
      assert.equal(verdict.reason, 'no matching signatures were found');
      assert.match(verdict.attempts[0]?.reason ?? '', /^signature blob sha256:[0-9a-f]{64} is 209715200 bytes, more than the limit of 33554432$/);
      assert.equal(registry.blobFetches(), 0);
    });

    it('a stream longer than its declared size fails the verification with the client\'s BLOB_SIZE_MISMATCH (never verified)', async () => {
      const layer = sigLayer();
      const registry = fakeRegistry({ tags: { [sigTag()]: [{ ...layer, size: layer.bytes.length - 1 }] } });
      await assert.rejects(createCosignVerifier(keyedOptions).verify(SUBJECT, contextFor(registry.client)), (error: unknown) => isBobError(error, 'BLOB_SIZE_MISMATCH'));
    });
  });

  describe('row 28: a valid signature for another digest', () => {
    it('legacy .sig: SUBJECT_MISMATCH naming both digests', async () => {
      const registry = fakeRegistry({ tags: { [sigTag()]: [sigLayer(simplePayload(OTHER_DIGEST))] } });
      const verdict = rejected(await createCosignVerifier(keyedOptions).verify(SUBJECT, contextFor(registry.client)));
      assert.equal(verdict.code, 'SUBJECT_MISMATCH');
      assert.equal(verdict.attempts[0]?.reason, `payload signs ${OTHER_DIGEST}, not ${DIGEST}`);
    });

    it('bundle: SUBJECT_MISMATCH naming the statement subjects', () => {
      const bundle = bundleJson(dsseEnvelope(signer.privateKey, statement(OTHER_DIGEST)), { keyHint: keyHintOf(signer.publicKey) });
      assert.deepEqual(rejectionOf(() => verifyBundle(keyed(), encode(bundle), DIGEST, NOW)), {
        code: 'SUBJECT_MISMATCH', message: `statement subjects ${OTHER_DIGEST} do not include ${DIGEST}`,
      });
    });

    it('legacy attestation: SUBJECT_MISMATCH', () => {
      const layer = { bytes: encode(dsseEnvelope(signer.privateKey, statement(OTHER_DIGEST, CUSTOM)).json), annotations: {} };
      assert.deepEqual(rejectionOf(() => verifyLegacyAttestation(keyed(), layer, DIGEST, CUSTOM, NOW)), {
        code: 'SUBJECT_MISMATCH', message: `statement subjects ${OTHER_DIGEST} do not include ${DIGEST}`,
      });
    });

    it('a signature copied to another image\'s .sig tag (moved tag) never verifies that image', async () => {
      // The attacker puts a good signature of OTHER under the subject's tag.
      const registry = fakeRegistry({ tags: { [sigTag()]: [sigLayer(simplePayload(OTHER_DIGEST))] } });
      const verdict = await createCosignVerifier(keyedOptions).verify(SUBJECT, contextFor(registry.client));
      assert.equal(rejected(verdict).reason, 'no matching signatures were found');
    });
  });

  describe('row 29: transparency-log evidence bound to this very signature', () => {
    const integratedTime = new Date(Math.floor(NOW.getTime() / 1000) * 1000);
    const tlogTrust = () => keyed({ ignoreTlog: false, trustedRoot: pki.trustedRoot() });

    it('legacy: a SET for the same payload but another signature is TLOG_INVALID "signature mismatch"', () => {
      const payload = simplePayload(DIGEST);
      const other = legacyLayer(signer.privateKey, payload);
      const layer = legacyLayer(signer.privateKey, payload);
      assert.notDeepEqual(other.signature, layer.signature);
      const set = pki.setAnnotation({ signature: other.signature, payload, verifierPem: signer.pem, integratedTime });
      const result = rejectionOf(() => verifyLegacySignature(tlogTrust(), { ...layer, annotations: { ...layer.annotations, 'dev.sigstore.cosign/bundle': set } }, DIGEST, NOW));
      assert.equal(result.code, 'TLOG_INVALID');
      assert.match(result.message, /signature mismatch/);
    });

    it('legacy: a SET naming this signature but another payload hash is TLOG_INVALID "digest mismatch"', () => {
      const layer = legacyLayer(signer.privateKey, simplePayload(DIGEST));
      const set = pki.setAnnotation({ signature: layer.signature, payload: simplePayload(OTHER_DIGEST), verifierPem: signer.pem, integratedTime });
      const result = rejectionOf(() => verifyLegacySignature(tlogTrust(), { ...layer, annotations: { ...layer.annotations, 'dev.sigstore.cosign/bundle': set } }, DIGEST, NOW));
      assert.equal(result.code, 'TLOG_INVALID');
      assert.match(result.message, /digest mismatch/);
    });

    it('legacy: SET annotations that are not JSON, have duplicate keys or non-canonical base64 are TLOG_INVALID', () => {
      const payload = simplePayload(DIGEST);
      const layer = legacyLayer(signer.privateKey, payload);
      const good = pki.setAnnotation({ signature: layer.signature, payload, verifierPem: signer.pem, integratedTime });
      const parsed = JSON.parse(good) as { SignedEntryTimestamp: string; Payload: { body: string } };
      const cases: [string, string][] = [
        ['{', 'Rekor bundle annotation is not valid JSON'],
        [good.replace('{"SignedEntryTimestamp"', '{"SignedEntryTimestamp":"AAAA","SignedEntryTimestamp"'), 'Rekor bundle annotation is not valid JSON'],
        [JSON.stringify({ ...parsed, SignedEntryTimestamp: unpadded(parsed.SignedEntryTimestamp) }), 'Rekor bundle payload is malformed'],
        [JSON.stringify({ ...parsed, Payload: { ...parsed.Payload, body: `${parsed.Payload.body}\n` } }), 'Rekor bundle payload is malformed'],
      ];
      for (const [annotation, message] of cases) {
        const result = rejectionOf(() => verifyLegacySignature(tlogTrust(), { ...layer, annotations: { ...layer.annotations, 'dev.sigstore.cosign/bundle': annotation } }, DIGEST, NOW));
        assert.deepEqual(result, { code: 'TLOG_INVALID', message }, annotation.slice(0, 60));
      }
    });

    it('bundle: a tlog entry whose body is for another payload is TLOG_INVALID (GHSA-whqx)', () => {
      const envelope = dsseEnvelope(signer.privateKey, statement(DIGEST));
      const entry = dsseTlogEntry(envelope.signature, statement(OTHER_DIGEST), integratedTime);
      const bundle = { ...bundleJson(envelope, { keyHint: keyHintOf(signer.publicKey), mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1' }) };
      (bundle['verificationMaterial'] as Record<string, unknown>)['tlogEntries'] = [entry];
      const result = rejectionOf(() => verifyBundle(tlogTrust(), encode(bundle), DIGEST, NOW));
      assert.equal(result.code, 'TLOG_INVALID');
      assert.match(result.message, /DSSE payload hash mismatch/);
    });

    it('bundle: a tlog entry transplanted from another signature is TLOG_INVALID', () => {
      const envelope = dsseEnvelope(signer.privateKey, statement(DIGEST));
      const other = dsseEnvelope(signer.privateKey, statement(DIGEST));
      const bundle = bundleJson(envelope, { keyHint: keyHintOf(signer.publicKey), mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1' });
      (bundle['verificationMaterial'] as Record<string, unknown>)['tlogEntries'] = [dsseTlogEntry(other.signature, statement(DIGEST), integratedTime)];
      const result = rejectionOf(() => verifyBundle(tlogTrust(), encode(bundle), DIGEST, NOW));
      assert.equal(result.code, 'TLOG_INVALID');
      assert.match(result.message, /tlog entry signature mismatch/);
    });

    it('bundle: a matching entry whose promise the log did not sign is TLOG_INVALID', () => {
      const envelope = dsseEnvelope(signer.privateKey, statement(DIGEST));
      const entry = dsseTlogEntry(envelope.signature, statement(DIGEST), integratedTime);
      const bundle = bundleJson(envelope, { keyHint: keyHintOf(signer.publicKey), mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1' });
      (bundle['verificationMaterial'] as Record<string, unknown>)['tlogEntries'] = [{ ...entry, logIndex: '8' }];
      const result = rejectionOf(() => verifyBundle(tlogTrust(), encode(bundle), DIGEST, NOW));
      assert.equal(result.code, 'TLOG_INVALID');
      assert.match(result.message, /inclusion promise could not be verified/);
      // The untouched entry verifies: the three rejections above are about the binding, not the fixture.
      (bundle['verificationMaterial'] as Record<string, unknown>)['tlogEntries'] = [entry];
      assert.deepEqual(verifyBundle(tlogTrust(), encode(bundle), DIGEST, NOW).signedAt, integratedTime);
    });
  });

  describe('row 30: attestations of another type, malformed DSSE, unparseable statements', () => {
    it('only a verified attestation of another predicate type: ATTESTATION_MISSING naming the demanded type', async () => {
      const slsa = encode(dsseEnvelope(signer.privateKey, statement(DIGEST, 'https://slsa.dev/provenance/v0.2')).json);
      const registry = fakeRegistry({ tags: { [sigTag()]: [sigLayer()], [attTag()]: [{ bytes: slsa, mediaType: DSSE }] } });
      const verdict = rejected(await createCosignVerifier({ ...keyedOptions, attestations: ['cyclonedx'] }).verify(SUBJECT, contextFor(registry.client)));
      assert.equal(verdict.code, 'ATTESTATION_MISSING');
      assert.equal(verdict.reason, 'no matching attestations of type https://cyclonedx.org/bom were found');
      assert.equal(verdict.attempts[0]?.reason, 'attestation is of type https://slsa.dev/provenance/v0.2, not https://cyclonedx.org/bom');
    });

    it('a bundle attestation whose unauthenticated hint lies about its type does not count', async () => {
      const slsa = encode(bundleJson(dsseEnvelope(signer.privateKey, statement(DIGEST, 'https://slsa.dev/provenance/v0.2')), { keyHint: keyHintOf(signer.publicKey) }));
      const signature = encode(bundleJson(dsseEnvelope(signer.privateKey, statement(DIGEST)), { keyHint: keyHintOf(signer.publicKey) }));
      const registry = fakeRegistry({ referrers: [
        { artifactType: BUNDLE, layers: [{ bytes: signature, mediaType: BUNDLE }] },
        { artifactType: BUNDLE, layers: [{ bytes: slsa, mediaType: BUNDLE }], annotations: { 'dev.sigstore.bundle.predicateType': 'https://cyclonedx.org/bom' } },
      ] });
      const verdict = rejected(await createCosignVerifier({ ...keyedOptions, attestations: ['cyclonedx'] }).verify(SUBJECT, contextFor(registry.client)));
      assert.equal(verdict.code, 'ATTESTATION_MISSING');
      assert.equal(verdict.reason, 'no matching attestations of type https://cyclonedx.org/bom were found');
    });

    it('malformed DSSE envelopes: PAYLOAD_INVALID with the precise reason', () => {
      const good = dsseEnvelope(signer.privateKey, statement(DIGEST, CUSTOM));
      const sig = (good.json['signatures'] as { sig: string }[])[0]?.sig ?? '';
      const cases: [unknown, string][] = [
        [{ payloadType: 'application/vnd.in-toto+json', payload: good.json['payload'] }, 'DSSE envelope needs payloadType, payload and signatures'],
        [{ ...good.json, signatures: [] }, 'DSSE envelope has 0 signatures, expected 1'],
        [{ ...good.json, signatures: [{ sig }, { sig }] }, 'DSSE envelope has 2 signatures, expected 1'],
        [{ ...good.json, signatures: [{ sig: '' }] }, 'DSSE envelope payload or signature is not canonical standard base64'],
        [{ ...good.json, signatures: [{ sig: Buffer.from(sig, 'base64').toString('base64url') }] }, 'DSSE envelope payload or signature is not canonical standard base64'],
        [{ ...good.json, payload: `${String(good.json['payload'])} ` }, 'DSSE envelope payload or signature is not canonical standard base64'],
        [{ ...good.json, signatures: [{ sig: unpadded(sig) }] }, 'DSSE envelope payload or signature is not canonical standard base64'],
        [[good.json], 'DSSE envelope is not a JSON object'],
      ];
      for (const [json, message] of cases) {
        const result = rejectionOf(() => verifyLegacyAttestation(keyed(), { bytes: encode(json), annotations: {} }, DIGEST, CUSTOM, NOW));
        assert.deepEqual(result, { code: 'PAYLOAD_INVALID', message }, JSON.stringify(json).slice(0, 100));
      }
      const duplicate = JSON.stringify(good.json).replace('{"payloadType"', '{"payloadType":"text/plain","payloadType"');
      assert.deepEqual(rejectionOf(() => verifyLegacyAttestation(keyed(), { bytes: Buffer.from(duplicate), annotations: {} }, DIGEST, CUSTOM, NOW)), {
        code: 'PAYLOAD_INVALID', message: 'DSSE envelope is not valid JSON',
      });
    });

    it('signed but unparseable statements: PAYLOAD_INVALID with the precise reason (legacy and bundle)', () => {
      const cases: [Buffer, string][] = [
        [Buffer.from('{"_type":'), 'in-toto statement is not valid JSON'],
        [Buffer.from(`{"_type":"https://in-toto.io/Statement/v1","predicateType":"${CUSTOM}","predicateType":"${SIGN}","subject":[]}`), 'in-toto statement is not valid JSON'],
        [Buffer.from('"x"'), 'in-toto statement is not a JSON object'],
        [Buffer.from('{"_type":"https://in-toto.io/Statement/v9"}'), 'in-toto statement _type "https://in-toto.io/Statement/v9" is not supported'],
        [Buffer.from('{"_type":"https://in-toto.io/Statement/v1","subject":[]}'), 'in-toto statement has no predicateType'],
        [Buffer.from(`{"_type":"https://in-toto.io/Statement/v1","predicateType":"${CUSTOM}"}`), 'in-toto statement has no subject list'],
        [Buffer.from(`{"_type":"https://in-toto.io/Statement/v1","predicateType":"${CUSTOM}","subject":[{"name":"x"}]}`), 'in-toto statement subject has no digest'],
        [Buffer.from(`{"_type":"https://in-toto.io/Statement/v1","predicateType":"${CUSTOM}","subject":[{"digest":{"sha256":1}}]}`), 'in-toto statement subject digest is not a string'],
      ];
      for (const [payload, message] of cases) {
        const legacy = { bytes: encode(dsseEnvelope(signer.privateKey, payload).json), annotations: {} };
        assert.deepEqual(rejectionOf(() => verifyLegacyAttestation(keyed(), legacy, DIGEST, CUSTOM, NOW)), { code: 'PAYLOAD_INVALID', message }, payload.toString());
        const bundle = encode(bundleJson(dsseEnvelope(signer.privateKey, payload), { keyHint: keyHintOf(signer.publicKey) }));
        assert.deepEqual(rejectionOf(() => verifyBundle(keyed(), bundle, DIGEST, NOW)), { code: 'PAYLOAD_INVALID', message }, payload.toString());
      }
    });

    it('no exception escapes the verifier: a garbage attachment is an attempt, not a throw', async () => {
      const registry = fakeRegistry({
        tags: { [sigTag()]: [{ bytes: Buffer.from([0xff, 0xfe, 0x00]), mediaType: SIMPLE_SIGNING, annotations: { 'dev.cosignproject.cosign/signature': 'AAAA' } }] },
        referrers: [{ artifactType: BUNDLE, layers: [{ bytes: Buffer.from('{"mediaType":1}'), mediaType: BUNDLE }] }],
      });
      const verdict = rejected(await createCosignVerifier(keyedOptions).verify(SUBJECT, contextFor(registry.client)));
      assert.deepEqual(verdict.attempts.map((attempt) => [attempt.format, attempt.code, attempt.reason]), [
        ['cosign-bundle', 'PAYLOAD_INVALID', 'not a Sigstore bundle: invalid bundle'],
        ['cosign-legacy', 'SIGNATURE_INVALID', 'signature does not verify with any configured public key'],
      ]);
    });
  });

  describe('row 31: keyless identities', () => {
    it('an empty identity list, an empty subject and a broken expression are configuration errors, never "accept anyone"', () => {
      const base = { trustedRoot: pki.trustedRoot(), ignoreSct: true, ignoreTlog: true };
      const cases: [CosignVerifierOptions, RegExp][] = [
        [{ ...base, keyless: { identities: [] } }, /keyless\.identities: at least one identity is required/],
        [{ ...base, keyless: { identities: [{ subject: '', issuer: ISSUER }] } }, /keyless\.identities\[0\]\.subject: empty/],
        [{ ...base, keyless: { identities: [{ issuer: ISSUER }] } }, /keyless\.identities\[0\]\.subject: missing/],
        [{ ...base, keyless: { identities: [{ subjectRegExp: '(', issuer: ISSUER }] } }, /keyless\.identities\[0\]\.subject: invalid regular expression/],
      ];
      for (const [options, message] of cases) {
        assert.throws(() => createCosignVerifier(options), (error: unknown) => isBobError(error, 'CONFIG_INVALID') && message.test(error.message));
      }
    });

    it('the unanchored-regex trap and a wrong issuer are IDENTITY_MISMATCH naming what the certificate says', () => {
      for (const [email, issuer] of [['x@corp.com.evil.io', ISSUER], ['dev@corp.com', 'https://evil.test'], ['dev@corp.com', `${ISSUER}.evil.io`]] as const) {
        const leaf = pki.issueLeaf({ sans: [{ email }], issuer });
        const layer = legacyLayer(leaf.privateKey, simplePayload(DIGEST), { 'dev.sigstore.cosign/certificate': leaf.pem });
        assert.deepEqual(rejectionOf(() => verifyLegacySignature(keyless(), layer, DIGEST, NOW)), {
          code: 'IDENTITY_MISMATCH', message: `certificate identity ${email} (issuer ${issuer}) matches no configured identity`,
        });
      }
    });

    it('a certificate without an issuer extension never matches (bundle)', () => {
      const leaf = pki.issueLeaf({ sans: [{ email: 'dev@corp.com' }] });
      const bundle = bundleJson(dsseEnvelope(leaf.privateKey, statement(DIGEST)), { certificate: leaf.der });
      assert.deepEqual(rejectionOf(() => verifyBundle(keyless(), encode(bundle), DIGEST, NOW)), {
        code: 'IDENTITY_MISMATCH', message: 'certificate identity dev@corp.com (issuer (none)) matches no configured identity',
      });
    });
  });

  describe('row 32: keys', () => {
    it('a garbage .pub in the key set is CONFIG_INVALID naming it, not silently skipped', () => {
      for (const [pem, message] of [
        ['garbage', /public key bad\.pub: no PEM block found/],
        ['-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', /public key bad\.pub: not a valid PKIX public key/],
      ] as const) {
        assert.throws(() => createCosignVerifier({ publicKeys: [{ name: 'cosign.pub', pem: signer.pem }, { name: 'bad.pub', pem }], ignoreTlog: true }),
          (error: unknown) => isBobError(error, 'CONFIG_INVALID') && message.test(error.message));
      }
    });

    it('an RSA key for an ECDSA signature (and the reverse) is SIGNATURE_INVALID', () => {
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const rsaPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const rsaTrust = toCosignTrust({ publicKeys: [{ name: 'rsa.pub', pem: rsaPem }], ignoreTlog: true });
      assert.deepEqual(rejectionOf(() => verifyLegacySignature(rsaTrust, legacyLayer(signer.privateKey, simplePayload(DIGEST)), DIGEST, NOW)), {
        code: 'SIGNATURE_INVALID', message: 'signature does not verify with any configured public key',
      });
      assert.deepEqual(rejectionOf(() => verifyLegacySignature(keyed(), legacyLayer(rsa.privateKey, simplePayload(DIGEST)), DIGEST, NOW)), {
        code: 'SIGNATURE_INVALID', message: 'signature does not verify with any configured public key',
      });
    });

    it('a bundle signed by an unknown key names its hint as SIGNER_UNTRUSTED', () => {
      const stranger = ecKey();
      const bundle = bundleJson(dsseEnvelope(stranger.privateKey, statement(DIGEST)), { keyHint: keyHintOf(stranger.publicKey) });
      assert.deepEqual(rejectionOf(() => verifyBundle(keyed(), encode(bundle), DIGEST, NOW)), {
        code: 'SIGNER_UNTRUSTED', message: `signed by key sha256:${Buffer.from(keyHintOf(stranger.publicKey), 'base64').toString('hex')}, not a configured key`,
      });
    });
  });

  describe('certificate validity (keyless)', () => {
    const hour = 3_600_000;

    const CHAIN_TIME = 'Failed to verify certificate chain: certificate is not valid or expired at the specified date';

    it('an expired leaf, judged now without a proven time: CERTIFICATE_EXPIRED (legacy and bundle)', () => {
      const leaf = pki.issueLeaf({ sans: [{ email: 'dev@corp.com' }], issuer: ISSUER, notBefore: new Date(NOW.getTime() - hour), notAfter: new Date(NOW.getTime() - hour / 2) });
      const legacy = legacyLayer(leaf.privateKey, simplePayload(DIGEST), { 'dev.sigstore.cosign/certificate': leaf.pem });
      assert.deepEqual(rejectionOf(() => verifyLegacySignature(keyless(), legacy, DIGEST, NOW)), { code: 'CERTIFICATE_EXPIRED', message: CHAIN_TIME });
      const bundle = bundleJson(dsseEnvelope(leaf.privateKey, statement(DIGEST)), { certificate: leaf.der });
      assert.deepEqual(rejectionOf(() => verifyBundle(keyless(), encode(bundle), DIGEST, NOW)), { code: 'CERTIFICATE_EXPIRED', message: CHAIN_TIME });
    });

    it('a not-yet-valid leaf: CERTIFICATE_EXPIRED (legacy and bundle)', () => {
      const leaf = pki.issueLeaf({ sans: [{ email: 'dev@corp.com' }], issuer: ISSUER, notBefore: new Date(NOW.getTime() + hour), notAfter: new Date(NOW.getTime() + 2 * hour) });
      const legacy = legacyLayer(leaf.privateKey, simplePayload(DIGEST), { 'dev.sigstore.cosign/certificate': leaf.pem });
      assert.deepEqual(rejectionOf(() => verifyLegacySignature(keyless(), legacy, DIGEST, NOW)), { code: 'CERTIFICATE_EXPIRED', message: CHAIN_TIME });
      const bundle = bundleJson(dsseEnvelope(leaf.privateKey, statement(DIGEST)), { certificate: leaf.der });
      assert.deepEqual(rejectionOf(() => verifyBundle(keyless(), encode(bundle), DIGEST, NOW)), { code: 'CERTIFICATE_EXPIRED', message: CHAIN_TIME });
    });
  });

  describe('unknown critical extensions (keyless)', () => {
    // cosign ValidateAndUnpackCertWithIntermediates strips only the SAN from UnhandledCriticalExtensions
    // and then calls Go's x509 Certificate.Verify, which fails on any other unhandled critical extension
    // on any certificate of the chain (RFC 5280 §4.2). sigstore-go (cosign 3) verifies with x509.Verify too.
    const LEAF_MESSAGE = `Failed to verify certificate chain: certificate has an unhandled critical extension ${UNKNOWN_OID}`;
    const exact = (extra: Partial<CosignVerifierOptions> = {}) => keyless({ keyless: { identities: [{ subject: 'dev@corp.com', issuer: ISSUER }] }, ...extra });
    const leafWith = (critical: boolean) => pki.issueLeaf({
      sans: [{ email: 'dev@corp.com' }], issuer: ISSUER, extensions: [{ oid: UNKNOWN_OID, critical, value: Buffer.from([0x05, 0x00]) }],
    });

    it('a leaf with an unknown CRITICAL extension, legacy .sig: CERTIFICATE_INVALID naming the extension', () => {
      const leaf = leafWith(true);
      const layer = legacyLayer(leaf.privateKey, simplePayload(DIGEST), { 'dev.sigstore.cosign/certificate': leaf.pem });
      assert.deepEqual(rejectionOf(() => verifyLegacySignature(exact(), layer, DIGEST, NOW)), { code: 'CERTIFICATE_INVALID', message: LEAF_MESSAGE });
    });

    it('a leaf with an unknown CRITICAL extension, bundle: CERTIFICATE_INVALID naming the extension', () => {
      const leaf = leafWith(true);
      const bundle = bundleJson(dsseEnvelope(leaf.privateKey, statement(DIGEST)), { certificate: leaf.der });
      assert.deepEqual(rejectionOf(() => verifyBundle(exact(), encode(bundle), DIGEST, NOW)), { code: 'CERTIFICATE_INVALID', message: LEAF_MESSAGE });
    });

    it('control: the same extension NOT critical verifies (legacy and bundle)', () => {
      const leaf = leafWith(false);
      const layer = legacyLayer(leaf.privateKey, simplePayload(DIGEST), { 'dev.sigstore.cosign/certificate': leaf.pem });
      assert.equal(verifyLegacySignature(exact(), layer, DIGEST, NOW).signer, `dev@corp.com (issuer ${ISSUER})`);
      const bundle = bundleJson(dsseEnvelope(leaf.privateKey, statement(DIGEST)), { certificate: leaf.der });
      assert.equal(verifyBundle(exact(), encode(bundle), DIGEST, NOW).signer, `dev@corp.com (issuer ${ISSUER})`);
    });

    it('an intermediate CA with an unknown CRITICAL extension: CERTIFICATE_INVALID naming it (Go\'s isValid checks every chain certificate)', () => {
      // The same intermediate (subject, key) re-issued by the root with one extra critical extension.
      const validity = new X509Certificate(pki.intermediate.der);
      const intermediate = buildCertificate({
        subject: 'bob test fulcio intermediate', issuer: 'bob test fulcio root', serial: 4242n,
        notBefore: new Date(validity.validFrom), notAfter: new Date(validity.validTo), publicKey: pki.intermediate.publicKey, signingKey: pki.root.privateKey,
        extensions: [basicConstraints(true), keyUsage(true), { oid: UNKNOWN_OID, critical: true, value: Buffer.from([0x05, 0x00]) }],
      });
      const root = pki.trustedRoot();
      const [authority] = root['certificateAuthorities'] as { certChain: { certificates: { rawBytes: string }[] } }[];
      assert.ok(authority !== undefined);
      authority.certChain.certificates[0] = { rawBytes: intermediate.toString('base64') };
      const leaf = pki.issueLeaf({ sans: [{ email: 'dev@corp.com' }], issuer: ISSUER });
      const message = `Failed to verify certificate chain: certificate authority has an unhandled critical extension ${UNKNOWN_OID}`;
      const layer = legacyLayer(leaf.privateKey, simplePayload(DIGEST), { 'dev.sigstore.cosign/certificate': leaf.pem });
      assert.deepEqual(rejectionOf(() => verifyLegacySignature(exact({ trustedRoot: root }), layer, DIGEST, NOW)), { code: 'CERTIFICATE_INVALID', message });
      const bundle = bundleJson(dsseEnvelope(leaf.privateKey, statement(DIGEST)), { certificate: leaf.der });
      assert.deepEqual(rejectionOf(() => verifyBundle(exact({ trustedRoot: root }), encode(bundle), DIGEST, NOW)), { code: 'CERTIFICATE_INVALID', message });
      // Control: the original authority verifies the same leaf.
      assert.equal(verifyLegacySignature(exact(), layer, DIGEST, NOW).signer, `dev@corp.com (issuer ${ISSUER})`);
    });
  });

  describe('bundle bytes fields: base64 as Go protojson reads it', () => {
    // @sigstore/protobuf-specs fromJSON decodes with Buffer.from(text, 'base64'), which skips any character it
    // does not know; Go's protojson (cosign 3) accepts std or url alphabet, padded or not, and nothing else
    // ("invalid value for bytes type"; research/signatures.md §8 pitfall 2).
    interface BundleShape { dsseEnvelope: { payload: string; signatures: { sig: string }[] } }
    const envelope = dsseEnvelope(signer.privateKey, statement(DIGEST));
    const good = bundleJson(envelope, { keyHint: keyHintOf(signer.publicKey) });
    const sig = envelope.signature.toString('base64');
    const payload = envelope.payload.toString('base64');
    const mutated = (mutate: (json: BundleShape) => void): Buffer => {
      const json = JSON.parse(JSON.stringify(good)) as BundleShape;
      mutate(json);
      return encode(json);
    };
    const refused = (field: string) => ({ code: 'PAYLOAD_INVALID', message: `not a Sigstore bundle: ${field} is not valid base64` });
    const SIG = 'dsseEnvelope.signatures[0].sig';
    const cases: [string, string, (json: BundleShape) => void][] = [
      ['a "!" inside the signature', SIG, (json) => { json.dsseEnvelope.signatures[0] = { sig: `${sig.slice(0, 8)}!${sig.slice(8)}` }; }],
      ['a space inside the signature', SIG, (json) => { json.dsseEnvelope.signatures[0] = { sig: `${sig.slice(0, 8)} ${sig.slice(8)}` }; }],
      ['a newline inside the signature (Go skips it; bob is stricter)', SIG, (json) => { json.dsseEnvelope.signatures[0] = { sig: `${sig.slice(0, 8)}\n${sig.slice(8)}` }; }],
      ['both alphabets mixed in the signature', SIG, (json) => { json.dsseEnvelope.signatures[0] = { sig: `-+${sig.slice(2)}` }; }],
      ['a number instead of a string', SIG, (json) => { (json.dsseEnvelope.signatures[0] as unknown as { sig: number }).sig = 1234; }],
      ['a "*" inside the payload', 'dsseEnvelope.payload', (json) => { json.dsseEnvelope.payload = `${payload.slice(0, 8)}*${payload.slice(8)}`; }],
      ['an extra "=" (padding on a length that is not a multiple of 4)', 'dsseEnvelope.payload', (json) => { json.dsseEnvelope.payload = `${payload}=`; }],
      ['a lone trailing character', 'dsseEnvelope.payload', (json) => { json.dsseEnvelope.payload = `${'A'.repeat(4 * 10)}A`; }],
    ];
    for (const [what, field, mutate] of cases) {
      it(`${what}: PAYLOAD_INVALID naming ${field}`, () => {
        assert.deepEqual(rejectionOf(() => verifyBundle(keyed(), mutated(mutate), DIGEST, NOW)), refused(field));
      });
    }

    it('a "*" inside verificationMaterial.certificate.rawBytes: PAYLOAD_INVALID', () => {
      const leaf = pki.issueLeaf({ sans: [{ email: 'dev@corp.com' }], issuer: ISSUER });
      const bundle = bundleJson(dsseEnvelope(leaf.privateKey, statement(DIGEST)), { certificate: leaf.der });
      const raw = leaf.der.toString('base64');
      (bundle['verificationMaterial'] as { certificate: { rawBytes: string } }).certificate.rawBytes = `${raw.slice(0, 10)}*${raw.slice(10)}`;
      assert.deepEqual(rejectionOf(() => verifyBundle(keyless(), encode(bundle), DIGEST, NOW)), refused('verificationMaterial.certificate.rawBytes'));
    });

    it('tlog entry and timestamp bytes fields are checked too, even when the tlog is ignored', () => {
      const entry = dsseTlogEntry(envelope.signature, envelope.payload, NOW);
      const withMaterial = (material: Record<string, unknown>): Buffer => encode({ ...good, verificationMaterial: { ...(good['verificationMaterial'] as Record<string, unknown>), ...material } });
      const cases: [Record<string, unknown>, string][] = [
        [{ tlogEntries: [{ ...entry, canonicalizedBody: `${String(entry['canonicalizedBody'])}!` }] }, 'verificationMaterial.tlogEntries[0].canonicalizedBody'],
        [{ tlogEntries: [{ ...entry, logId: { keyId: 'a b' } }] }, 'verificationMaterial.tlogEntries[0].logId.keyId'],
        [{ tlogEntries: [entry, { ...entry, inclusionPromise: { signedEntryTimestamp: '%%%%' } }] }, 'verificationMaterial.tlogEntries[1].inclusionPromise.signedEntryTimestamp'],
        [{ tlogEntries: [{ ...entry, inclusionProof: { logIndex: '7', rootHash: 'AAAA', treeSize: '8', hashes: ['AAAA', 'AA.A'], checkpoint: { envelope: 'x' } } }] }, 'verificationMaterial.tlogEntries[0].inclusionProof.hashes[1]'],
        [{ timestampVerificationData: { rfc3161Timestamps: [{ signedTimestamp: 'MII*' }] } }, 'verificationMaterial.timestampVerificationData.rfc3161Timestamps[0].signedTimestamp'],
      ];
      for (const [material, field] of cases) {
        assert.deepEqual(rejectionOf(() => verifyBundle(keyed(), withMaterial(material), DIGEST, NOW)), refused(field));
      }
    });

    it('url alphabet and missing padding stay accepted (Go protojson parity)', () => {
      const url = (text: string): string => Buffer.from(text, 'base64').toString('base64url');
      for (const mutate of [
        (json: BundleShape) => { json.dsseEnvelope.signatures[0] = { sig: url(sig) }; json.dsseEnvelope.payload = url(payload); },
        (json: BundleShape) => { json.dsseEnvelope.signatures[0] = { sig: sig.replace(/=+$/, '') }; json.dsseEnvelope.payload = payload.replace(/=+$/, ''); },
      ]) {
        assert.equal(verifyBundle(keyed(), mutated(mutate), DIGEST, NOW).predicateType, SIGN);
      }
    });
  });

  describe('duplicate JSON keys and non-canonical base64 in every cosign document', () => {
    it('the bundle document itself: PAYLOAD_INVALID "bundle is not valid JSON"', () => {
      const text = JSON.stringify(bundleJson(dsseEnvelope(signer.privateKey, statement(DIGEST)), { keyHint: keyHintOf(signer.publicKey) }));
      for (const duplicate of [
        text.replace('{"mediaType"', `{"mediaType":"${BUNDLE}","mediaType"`),
        text.replace('"dsseEnvelope":{', '"dsseEnvelope":{"payload":"e30=",'),
        text.replace('"signatures":[{', '"signatures":[{"sig":"AAAA",'),
      ]) {
        assert.deepEqual(rejectionOf(() => verifyBundle(keyed(), Buffer.from(duplicate), DIGEST, NOW)), { code: 'PAYLOAD_INVALID', message: 'bundle is not valid JSON' });
      }
    });

    it('the legacy payload: PAYLOAD_INVALID naming the duplicate key', () => {
      const duplicate = Buffer.from(simplePayload(DIGEST).toString().replace('"critical":{', '"critical":{"type":"x",'));
      const result = rejectionOf(() => verifyLegacySignature(keyed(), legacyLayer(signer.privateKey, duplicate), DIGEST, NOW));
      assert.equal(result.code, 'PAYLOAD_INVALID');
      assert.match(result.message, /^payload is not valid JSON: duplicate key "type" at offset \d+$|^payload is not valid JSON: duplicate key "type"$/);
    });

    it('the RFC 3161 annotation: TIMESTAMP_INVALID', () => {
      const layer = legacyLayer(signer.privateKey, simplePayload(DIGEST));
      const cases: [string, string][] = [
        ['{"SignedRFC3161Timestamp":"AAAA","SignedRFC3161Timestamp":"AAAA"}', 'RFC 3161 timestamp annotation is not valid JSON'],
        ['{"SignedRFC3161Timestamp":"AAA"}', 'RFC 3161 timestamp is not canonical base64'],
        ['{"SignedRFC3161Timestamp":"AAAA"}', 'RFC 3161 timestamp is malformed'],
      ];
      for (const [annotation, message] of cases) {
        const result = rejectionOf(() => verifyLegacySignature(keyed(), { ...layer, annotations: { ...layer.annotations, 'dev.sigstore.cosign/rfc3161timestamp': annotation } }, DIGEST, NOW));
        assert.deepEqual(result, { code: 'TIMESTAMP_INVALID', message });
      }
    });

    it('the signature annotation in each non-canonical form: SIGNATURE_INVALID', () => {
      const layer = legacyLayer(signer.privateKey, simplePayload(DIGEST));
      const encoded = layer.signature.toString('base64');
      const last = encoded.replace(/=+$/, '').slice(-1);
      const bumped = `${encoded.replace(/=+$/, '').slice(0, -1)}${String.fromCharCode(last.charCodeAt(0) + 1)}${(/=+$/.exec(encoded))?.[0] ?? ''}`;
      for (const variant of [` ${encoded}`, `${encoded.slice(0, 4)}\n${encoded.slice(4)}`, `${encoded}=`, bumped]) {
        if (variant === encoded || (variant === bumped && !encoded.endsWith("="))) continue;
        const result = rejectionOf(() => verifyLegacySignature(keyed(), { ...layer, annotations: { 'dev.cosignproject.cosign/signature': variant } }, DIGEST, NOW));
        assert.equal(result.code, 'SIGNATURE_INVALID', variant);
      }
    });

    it('DSSE PAE: the signature covers the payload type too (a retyped envelope fails)', () => {
      const envelope = dsseEnvelope(signer.privateKey, statement(DIGEST, CUSTOM));
      const retyped = { ...envelope.json, payloadType: 'application/json' };
      assert.deepEqual(rejectionOf(() => verifyLegacyAttestation(keyed(), { bytes: encode(retyped), annotations: {} }, DIGEST, CUSTOM, NOW)), {
        code: 'SIGNATURE_INVALID', message: 'signature does not verify with any configured public key',
      });
      // Sanity: the PAE helper is what signers use.
      assert.ok(Buffer.from(toPae('a', Buffer.from('b'))).equals(Buffer.from('DSSEv1 1 a 1 b')));
    });
  });
});
