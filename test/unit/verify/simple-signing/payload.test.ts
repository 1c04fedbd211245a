// The signed payload is read as strictly as containers/image reads it
// (signature/simple.go, internal/sigstore_payload.go): one row per rule.
import assert from 'node:assert/strict';
import { isRejectionError } from '../../../../src/verify/errors.ts';
import {
  COSIGN_SIGNATURE_TYPE, SIMPLE_SIGNING_TYPE, parseSignaturePayload, toSimpleSigningPayload, type SignaturePayloadType,
} from '../../../../src/verify/simple-signing/index.ts';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const critical = (type: string = SIMPLE_SIGNING_TYPE): string =>
  `{"type":${JSON.stringify(type)},"image":{"docker-manifest-digest":"${DIGEST}"},"identity":{"docker-reference":"example.test/app:v1"}}`;
const VALID = `{"critical":${critical()},"optional":{"creator":"atomic 2.0.0","timestamp":1700000000}}`;

function parse(text: string, type: SignaturePayloadType = SIMPLE_SIGNING_TYPE): ReturnType<typeof parseSignaturePayload> {
  return parseSignaturePayload(new TextEncoder().encode(text), type);
}

describe('verify: simple signing payload', () => {
  it('parses a valid payload, optional fields included', () => {
    assert.deepEqual(parse(VALID), {
      dockerManifestDigest: DIGEST, dockerReference: 'example.test/app:v1', creator: 'atomic 2.0.0', timestamp: 1700000000,
    });
  });

  const accepted: [string, string, SignaturePayloadType?][] = [
    ['no optional fields', `{"critical":${critical()},"optional":{}}`],
    ['unknown optional keys are ignored', `{"critical":${critical()},"optional":{"anything":[1,{"x":null}],"creator":"c"}}`],
    ['null optional fields are Go zero values', `{"critical":${critical()},"optional":{"creator":null,"timestamp":null}}`],
    ['an integral timestamp in exponent form', `{"critical":${critical()},"optional":{"timestamp":1.7e9}}`],
    ['a sha512 digest', VALID.replace(DIGEST, `sha512:${'ab'.repeat(64)}`)],
    ['a sha384 digest (go-digest knows it)', VALID.replace(DIGEST, `sha384:${'ab'.repeat(48)}`)],
    ['key order and whitespace do not matter', ` { "optional" : { } , "critical" : ${critical()} } `],
    ['cosign type with optional null', `{"critical":${critical(COSIGN_SIGNATURE_TYPE)},"optional":null}`, COSIGN_SIGNATURE_TYPE],
    ['cosign type with annotations', `{"critical":${critical(COSIGN_SIGNATURE_TYPE)},"optional":{"a":"b"}}`, COSIGN_SIGNATURE_TYPE],
  ];
  for (const [name, text, type] of accepted) {
    it(`accepts: ${name}`, () => {
      assert.doesNotThrow(() => parse(text, type));
    });
  }

  const refused: [string, string, RegExp, SignaturePayloadType?][] = [
    ['not JSON', 'not json', /unexpected character/],
    ['invalid UTF-8', '\uFFFD', /.*/],
    ['trailing data', `${VALID} {}`, /unexpected data after the JSON value/],
    ['a top-level array', `[${VALID}]`, /the payload is not a JSON object/],
    ['a duplicate top-level key', `{"critical":${critical()},"optional":{},"optional":{}}`, /duplicate key "optional"/],
    ['a duplicate key in critical', `{"critical":{"type":"x","type":"${SIMPLE_SIGNING_TYPE}","image":{"docker-manifest-digest":"${DIGEST}"},"identity":{"docker-reference":"a/b"}},"optional":{}}`, /duplicate key "type"/],
    ['a duplicate key in optional', `{"critical":${critical()},"optional":{"creator":"a","creator":"b"}}`, /duplicate key "creator"/],
    ['a duplicate docker-reference', VALID.replace('"docker-reference":"example.test/app:v1"', '"docker-reference":"a/b","docker-reference":"example.test/app:v1"'), /duplicate key "docker-reference"/],
    ['missing critical', '{"optional":{}}', /key "critical" missing in the payload/],
    ['missing optional', `{"critical":${critical()}}`, /key "optional" missing in the payload/],
    ['an unknown top-level key', `{"critical":${critical()},"optional":{},"extra":1}`, /unknown key "extra" in the payload/],
    ['critical not an object', '{"critical":null,"optional":{}}', /critical is not a JSON object/],
    ['an unknown key in critical', VALID.replace('{"type"', '{"x":1,"type"'), /unknown key "x" in critical/],
    ['critical without type', VALID.replace(`"type":"${SIMPLE_SIGNING_TYPE}",`, ''), /key "type" missing in critical/],
    ['critical without identity', `{"critical":{"type":"${SIMPLE_SIGNING_TYPE}","image":{"docker-manifest-digest":"${DIGEST}"}},"optional":{}}`, /key "identity" missing in critical/],
    ['another signature type', VALID.replace(SIMPLE_SIGNING_TYPE, 'atomic container signature 2'), /unrecognized signature type/],
    ['a cosign payload read as simple signing', `{"critical":${critical(COSIGN_SIGNATURE_TYPE)},"optional":{}}`, /unrecognized signature type/],
    ['a simple-signing payload read as cosign', VALID, /unrecognized signature type/, COSIGN_SIGNATURE_TYPE],
    ['type not a string', VALID.replace(`"${SIMPLE_SIGNING_TYPE}"`, '1'), /critical.type is not a string/],
    ['an unknown key in image', VALID.replace('{"docker-manifest-digest"', '{"size":1,"docker-manifest-digest"'), /unknown key "size" in critical.image/],
    ['image without digest', VALID.replace(`"docker-manifest-digest":"${DIGEST}"`, ''), /key "docker-manifest-digest" missing in critical.image/],
    ['a digest of upper-case hex', VALID.replace(DIGEST, DIGEST.toUpperCase().replace('SHA256', 'sha256')), /is not a valid digest/],
    ['a short digest', VALID.replace(DIGEST, 'sha256:abc'), /is not a valid digest/],
    ['an unknown digest algorithm', VALID.replace(DIGEST, `md5:${'a'.repeat(32)}`), /is not a valid digest/],
    ['a null digest', VALID.replace(`"${DIGEST}"`, 'null'), /docker-manifest-digest is not a string/],
    ['an unknown key in identity', VALID.replace('{"docker-reference"', '{"x":"y","docker-reference"'), /unknown key "x" in critical.identity/],
    ['docker-reference not a string', VALID.replace('"example.test/app:v1"', '["example.test/app:v1"]'), /docker-reference is not a string/],
    ['optional null for simple signing', `{"critical":${critical()},"optional":null}`, /optional is not a JSON object/],
    ['optional an array', `{"critical":${critical()},"optional":[]}`, /optional is not a JSON object/],
    ['optional an array for cosign', `{"critical":${critical(COSIGN_SIGNATURE_TYPE)},"optional":[]}`, /optional is not a JSON object/, COSIGN_SIGNATURE_TYPE],
    ['creator not a string', `{"critical":${critical()},"optional":{"creator":1}}`, /optional.creator is not a string/],
    ['a fractional timestamp', `{"critical":${critical()},"optional":{"timestamp":1.5}}`, /optional.timestamp is not an integer/],
    ['a string timestamp', `{"critical":${critical()},"optional":{"timestamp":"1700000000"}}`, /optional.timestamp is not a number/],
  ];
  for (const [name, text, message, type] of refused) {
    it(`refuses: ${name}`, () => {
      const bytes = name === 'invalid UTF-8' ? Uint8Array.of(0x7b, 0xff, 0x7d) : new TextEncoder().encode(text);
      assert.throws(() => parseSignaturePayload(bytes, type ?? SIMPLE_SIGNING_TYPE), (error: unknown) => {
        assert.ok(isRejectionError(error), String(error));
        assert.equal(error.code, 'PAYLOAD_INVALID');
        assert.match(error.message, message);
        return true;
      });
    });
  }

  describe('writing (skopeo standalone-sign byte layout)', () => {
    it('is compact JSON with sorted keys, creator and integer timestamp', () => {
      const bytes = toSimpleSigningPayload({ dockerManifestDigest: DIGEST, dockerReference: 'example.test/app:v1', creator: 'bob 0.1.0', timestamp: 1700000000 });
      assert.equal(new TextDecoder().decode(bytes),
        `{"critical":{"identity":{"docker-reference":"example.test/app:v1"},"image":{"docker-manifest-digest":"${DIGEST}"},`
        + '"type":"atomic container signature"},"optional":{"creator":"bob 0.1.0","timestamp":1700000000}}');
      assert.deepEqual(parseSignaturePayload(bytes, SIMPLE_SIGNING_TYPE), {
        dockerManifestDigest: DIGEST, dockerReference: 'example.test/app:v1', creator: 'bob 0.1.0', timestamp: 1700000000,
      });
    });

    it('escapes like Go encoding/json (HTML-safe)', () => {
      const bytes = toSimpleSigningPayload({ dockerManifestDigest: DIGEST, dockerReference: 'a/b', creator: '<b>&\u2028"', timestamp: 0 });
      assert.match(new TextDecoder().decode(bytes), /"creator":"\\u003cb\\u003e\\u0026\\u2028\\""/);
      assert.equal(parseSignaturePayload(bytes, SIMPLE_SIGNING_TYPE).creator, '<b>&\u2028"');
    });
  });
});
