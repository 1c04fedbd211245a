// policy.json is read as paranoidly as containers/image reads it
// (signature/policy_config*_test.go, research/signatures.md §1.2, §1.7):
// every case that upstream rejects is rejected here with CONFIG_INVALID
// naming the JSON path, and the accepted shapes parse to the expected data.
import assert from 'node:assert/strict';
import { isBobError } from '../../../../src/shared/index.ts';
import { parsePolicy } from '../../../../src/verify/policy/index.ts';

const B64 = Buffer.from('-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----\n').toString('base64');
const DIGEST = `sha256:${'0'.repeat(64)}`;

type Json = Record<string, unknown>;
const wrap = (requirement: unknown): string => JSON.stringify({ default: [requirement] });
const sigstore = (fields: Json): string => wrap({ type: 'sigstoreSigned', ...fields });
const signedBy = (fields: Json): string => wrap({ type: 'signedBy', keyType: 'GPGKeys', ...fields });
const identity = (value: unknown): string => wrap({ type: 'signedBy', keyType: 'GPGKeys', keyPath: '/k', signedIdentity: value });
const fulcio = (fields: Json): string => sigstore({ fulcio: fields, rekorPublicKeyPath: '/rekor.pub' });
const pki = (fields: Json): string => sigstore({ pki: fields });
const validFulcio = { caPath: '/ca.pem', oidcIssuer: 'https://issuer', subjectEmail: 'a@example.com' };

/** [name, policy text, expected path in the message, expected message fragment] */
const REJECTED: readonly (readonly [string, string, string, RegExp])[] = [
  ['not JSON', '{', '(top level)', /invalid JSON/],
  ['trailing data', '{"default":[{"type":"reject"}]} x', '(top level)', /unexpected data/],
  ['not an object', '[]', '(top level)', /JSON object expected/],
  ['missing default', '{}', '(top level)', /Default policy is missing/],
  ['unknown top-level key', '{"default":[{"type":"reject"}],"other":1}', '(top level)', /Unknown key "other"/],
  ['duplicate default', '{"default":[{"type":"reject"}],"default":[{"type":"reject"}]}', '(top level)', /duplicate key "default"/],
  ['duplicate transports', '{"default":[{"type":"reject"}],"transports":{},"transports":{}}', '(top level)', /duplicate key/],
  ['default not an array', '{"default":{}}', 'default', /array/],
  ['default null', '{"default":null}', 'default', /must not be empty/],
  ['empty default', '{"default":[]}', 'default', /List of verification policy requirements must not be empty/],
  ['transports not an object', '{"default":[{"type":"reject"}],"transports":[]}', 'transports', /JSON object expected/],
  ['transports null', '{"default":[{"type":"reject"}],"transports":null}', 'transports', /JSON object expected/],
  ['transport null', '{"default":[{"type":"reject"}],"transports":{"docker":null}}', 'transports.docker', /JSON object expected/],
  ['scope not an array', '{"default":[{"type":"reject"}],"transports":{"docker":{"a":{}}}}', 'transports.docker.a', /array/],
  ['empty scope list', '{"default":[{"type":"reject"}],"transports":{"docker":{"x.io/a":[]}}}', 'transports.docker["x.io/a"]', /must not be empty/],
  ['duplicate scope', '{"default":[{"type":"reject"}],"transports":{"docker":{"a":[{"type":"reject"}],"a":[{"type":"reject"}]}}}', '(top level)', /duplicate key "a"/],
  ['dir relative scope', '{"default":[{"type":"reject"}],"transports":{"dir":{"relative/path":[{"type":"reject"}]}}}', 'transports.dir', /Unknown key "relative\/path"/],
  ['dir root scope', '{"default":[{"type":"reject"}],"transports":{"dir":{"/":[{"type":"reject"}]}}}', 'transports.dir', /Unknown key "\/"/],
  ['requirement not an object', '{"default":[1]}', 'default[0]', /JSON object expected/],
  ['requirement null', '{"default":[null]}', 'default[0]', /Unknown policy requirement type ""/],
  ['unknown requirement type', wrap({ type: 'acceptEverything' }), 'default[0]', /Unknown policy requirement type "acceptEverything"/],
  ['missing requirement type', wrap({}), 'default[0]', /Unknown policy requirement type ""/],
  ['type not a string', wrap({ type: 1 }), 'default[0].type', /string/],
  ['insecureAcceptAnything extra field', wrap({ type: 'insecureAcceptAnything', x: 1 }), 'default[0]', /Unknown key "x"/],
  ['reject extra field', wrap({ type: 'reject', keyPath: '/k' }), 'default[0]', /Unknown key "keyPath"/],
  ['reject duplicate type', '{"default":[{"type":"reject","type":"reject"}]}', '(top level)', /duplicate key "type"/],
  ['signedBy unknown key', signedBy({ keyPath: '/k', keyPth: '/k' }), 'default[0]', /Unknown key "keyPth"/],
  ['signedBy bad keyType', signedBy({ keyType: 'PGP', keyPath: '/k' }), 'default[0].keyType', /Unrecognized keyType value "PGP"/],
  ['signedBy missing keyType', wrap({ type: 'signedBy', keyPath: '/k' }), 'default[0].keyType', /invalid keyType ""/],
  ['signedBy no key source', signedBy({}), 'default[0]', /none of them present/],
  ['signedBy keyPath and keyData', signedBy({ keyPath: '/k', keyData: B64 }), 'default[0]', /more than one present/],
  ['signedBy keyPath and keyPaths', signedBy({ keyPath: '/k', keyPaths: ['/k'] }), 'default[0]', /more than one present/],
  ['signedBy keyPaths and keyData', signedBy({ keyPaths: ['/k'], keyData: B64 }), 'default[0]', /more than one present/],
  ['signedBy empty keyPath', signedBy({ keyPath: '' }), 'default[0]', /exactly one of keyPath, keyPaths and keyData/],
  ['signedBy null keyData', signedBy({ keyData: null }), 'default[0]', /exactly one of keyPath, keyPaths and keyData/],
  ['signedBy invalid base64 keyData', signedBy({ keyData: 'this is invalid base64' }), 'default[0].keyData', /illegal base64/],
  ['signedBy url-safe base64 keyData', signedBy({ keyData: 'ab-_' }), 'default[0].keyData', /illegal base64/],
  ['signedBy unpadded keyData', signedBy({ keyData: 'YWI' }), 'default[0].keyData', /illegal base64/],
  ['signedBy keyPaths not a list', signedBy({ keyPaths: '/k' }), 'default[0].keyPaths', /list of strings/],
  ['signedBy signedIdentity null', signedBy({ keyPath: '/k', signedIdentity: null }), 'default[0].signedIdentity', /Unknown policy reference match type ""/],
  ['signedBaseLayer missing identity', wrap({ type: 'signedBaseLayer' }), 'default[0]', /Key "baseLayerIdentity" missing/],
  ['signedBaseLayer extra field', wrap({ type: 'signedBaseLayer', baseLayerIdentity: { type: 'matchExact' }, x: 1 }), 'default[0]', /Unknown key "x"/],
  ['signedBaseLayer bad identity', wrap({ type: 'signedBaseLayer', baseLayerIdentity: { type: 'nope' } }), 'default[0].baseLayerIdentity', /Unknown policy reference match type "nope"/],
  ['identity unknown type', identity({ type: 'matchSomething' }), 'default[0].signedIdentity', /Unknown policy reference match type "matchSomething"/],
  ['identity not an object', identity('matchExact'), 'default[0].signedIdentity', /Unknown policy reference match type ""/],
  ['matchExact extra field', identity({ type: 'matchExact', dockerReference: 'a:b' }), 'default[0].signedIdentity', /Unknown key "dockerReference"/],
  ['matchRepoDigestOrExact extra field', identity({ type: 'matchRepoDigestOrExact', x: 1 }), 'default[0].signedIdentity', /Unknown key "x"/],
  ['matchRepository extra field', identity({ type: 'matchRepository', x: 1 }), 'default[0].signedIdentity', /Unknown key "x"/],
  ['exactReference missing', identity({ type: 'exactReference' }), 'default[0].signedIdentity', /Key "dockerReference" missing/],
  ['exactReference name only', identity({ type: 'exactReference', dockerReference: 'busybox' }), 'default[0].signedIdentity.dockerReference', /contains neither a tag nor digest/],
  ['exactReference invalid', identity({ type: 'exactReference', dockerReference: 'UPPER:tag' }), 'default[0].signedIdentity.dockerReference', /Invalid format of dockerReference.*lowercase/],
  ['exactReference extra field', identity({ type: 'exactReference', dockerReference: 'a:b', x: 1 }), 'default[0].signedIdentity', /Unknown key "x"/],
  ['exactRepository missing', identity({ type: 'exactRepository' }), 'default[0].signedIdentity', /Key "dockerRepository" missing/],
  ['exactRepository invalid', identity({ type: 'exactRepository', dockerRepository: 'a@b' }), 'default[0].signedIdentity.dockerRepository', /Invalid format of dockerRepository/],
  ['remapIdentity missing signedPrefix', identity({ type: 'remapIdentity', prefix: 'example.com' }), 'default[0].signedIdentity', /Key "signedPrefix" missing/],
  ['remapIdentity invalid prefix', identity({ type: 'remapIdentity', prefix: 'example.com/', signedPrefix: 'example.net' }), 'default[0].signedIdentity.prefix', /prefix "example.com\/" is not valid/],
  ['remapIdentity invalid signedPrefix', identity({ type: 'remapIdentity', prefix: 'example.com', signedPrefix: 'example.net/repo:tag' }), 'default[0].signedIdentity.signedPrefix', /is not valid/],
  ['sigstoreSigned no key source', sigstore({}), 'default[0]', /exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki/],
  ['sigstoreSigned keyPath and keyData', sigstore({ keyPath: '/k', keyData: B64 }), 'default[0]', /exactly one of/],
  ['sigstoreSigned keyPaths and keyDatas', sigstore({ keyPaths: ['/k'], keyDatas: [B64] }), 'default[0]', /exactly one of/],
  ['sigstoreSigned keyPath and fulcio', sigstore({ keyPath: '/k', fulcio: validFulcio, rekorPublicKeyPath: '/r' }), 'default[0]', /exactly one of/],
  ['sigstoreSigned keyData and pki', sigstore({ keyData: B64, pki: { caRootsPath: '/ca', subjectEmail: 'a@b' } }), 'default[0]', /exactly one of/],
  ['sigstoreSigned empty keyPaths', sigstore({ keyPaths: [] }), 'default[0].keyPaths', /"keyPaths" contains no entries/],
  ['sigstoreSigned null keyPaths', sigstore({ keyPaths: null }), 'default[0].keyPaths', /contains no entries/],
  ['sigstoreSigned empty keyDatas', sigstore({ keyDatas: [] }), 'default[0].keyDatas', /"keyDatas" contains no entries/],
  ['sigstoreSigned invalid keyData', sigstore({ keyData: 'this is invalid base64' }), 'default[0].keyData', /illegal base64/],
  ['sigstoreSigned invalid keyDatas entry', sigstore({ keyDatas: [B64, '!!'] }), 'default[0].keyDatas[1]', /illegal base64/],
  ['sigstoreSigned unknown key', sigstore({ keyPath: '/k', rekorPublicKey: '/r' }), 'default[0]', /Unknown key "rekorPublicKey"/],
  ['sigstoreSigned two Rekor sources', sigstore({ keyPath: '/k', rekorPublicKeyPath: '/r', rekorPublicKeyData: B64 }), 'default[0]', /at most one of rekorPublicKeyPath/],
  ['sigstoreSigned empty rekorPublicKeyPaths', sigstore({ keyPath: '/k', rekorPublicKeyPaths: [] }), 'default[0].rekorPublicKeyPaths', /contains no entries/],
  ['sigstoreSigned empty rekorPublicKeyDatas', sigstore({ keyPath: '/k', rekorPublicKeyDatas: [] }), 'default[0].rekorPublicKeyDatas', /contains no entries/],
  ['sigstoreSigned invalid rekorPublicKeyData', sigstore({ keyPath: '/k', rekorPublicKeyData: 'x' }), 'default[0].rekorPublicKeyData', /illegal base64/],
  ['sigstoreSigned fulcio without Rekor', sigstore({ fulcio: validFulcio }), 'default[0]', /must be specified if fulcio is used/],
  ['sigstoreSigned pki with Rekor', sigstore({ pki: { caRootsPath: '/ca', subjectEmail: 'a@b' }, rekorPublicKeyPath: '/r' }), 'default[0]', /cannot be used with pki/],
  ['sigstoreSigned signedIdentity null', sigstore({ keyPath: '/k', signedIdentity: null }), 'default[0].signedIdentity', /Unknown policy reference match type/],
  ['sigstoreSigned fulcio null', sigstore({ fulcio: null, rekorPublicKeyPath: '/r' }), 'default[0].fulcio', /JSON object expected/],
  ['sigstoreSigned pki null', sigstore({ pki: null }), 'default[0].pki', /JSON object expected/],
  ['fulcio caPath and caData', fulcio({ ...validFulcio, caData: B64 }), 'default[0].fulcio', /caPath and caData cannot be used simultaneously/],
  ['fulcio no CA', fulcio({ oidcIssuer: 'https://i', subjectEmail: 'a@b' }), 'default[0].fulcio', /At least one of caPath and caData/],
  ['fulcio no oidcIssuer', fulcio({ caPath: '/ca', subjectEmail: 'a@b' }), 'default[0].fulcio', /oidcIssuer not specified/],
  ['fulcio empty subjectEmail', fulcio({ caPath: '/ca', oidcIssuer: 'https://i', subjectEmail: '' }), 'default[0].fulcio', /subjectEmail not specified/],
  ['fulcio unknown key', fulcio({ ...validFulcio, subjectURI: 'x' }), 'default[0].fulcio', /Unknown key "subjectURI"/],
  ['fulcio invalid caData', fulcio({ caData: 'x', oidcIssuer: 'https://i', subjectEmail: 'a@b' }), 'default[0].fulcio.caData', /illegal base64/],
  ['pki no roots', pki({ subjectEmail: 'a@b' }), 'default[0].pki', /At least one of caRootsPath and caRootsData/],
  ['pki both roots', pki({ caRootsPath: '/ca', caRootsData: B64, subjectEmail: 'a@b' }), 'default[0].pki', /caRootsPath and caRootsData cannot be used simultaneously/],
  ['pki both intermediates', pki({ caRootsPath: '/ca', caIntermediatesPath: '/i', caIntermediatesData: B64, subjectEmail: 'a@b' }), 'default[0].pki', /caIntermediatesPath and caIntermediatesData/],
  ['pki no subject', pki({ caRootsPath: '/ca' }), 'default[0].pki', /At least one of subjectEmail, subjectHostname/],
  ['pki unknown key', pki({ caRootsPath: '/ca', subjectEmail: 'a@b', x: 1 }), 'default[0].pki', /Unknown key "x"/],
  ['scope requirement error has the scope path', '{"default":[{"type":"reject"}],"transports":{"docker":{"reg.example/a":[{"type":"reject"},{"type":"bad"}]}}}',
    'transports.docker["reg.example/a"][1]', /Unknown policy requirement type "bad"/],
];

describe('verify/policy parsePolicy', () => {
  describe(`rejects what containers/image rejects (${String(REJECTED.length)} cases)`, () => {
    for (const [name, text, at, message] of REJECTED) {
      it(name, () => {
        assert.throws(() => parsePolicy(text), (error: unknown) => {
          assert.ok(isBobError(error, 'CONFIG_INVALID'), String(error));
          assert.equal(error.errorClass, 'stalling');
          assert.ok(error.message.startsWith(`policy.json ${at}: `), error.message);
          assert.match(error.message, message);
          return true;
        });
      });
    }
  });

  it('parses the upstream fixture shape: every requirement and identity type, wildcard scopes, unknown transports', () => {
    const policy = parsePolicy(JSON.stringify({
      default: [{ type: 'reject' }],
      transports: {
        dir: { '': [{ type: 'insecureAcceptAnything' }], '/absolute/path': [{ type: 'reject' }] },
        oci: { '/path:image': [{ type: 'reject' }] },
        unknown: { 'anything at all': [{ type: 'reject' }] },
        docker: {
          'example.com/playground': [{ type: 'insecureAcceptAnything' }],
          'example.com/production': [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: '/keys/employee-gpg-keyring' }],
          'example.com/hardened': [
            { type: 'signedBy', keyType: 'GPGKeys', keyPaths: ['/keys/a', '/keys/b'], signedIdentity: { type: 'matchRepository' } },
            { type: 'signedBy', keyType: 'signedByGPGKeys', keyData: B64, signedIdentity: { type: 'matchExact' } },
            { type: 'signedBaseLayer', baseLayerIdentity: { type: 'exactRepository', dockerRepository: 'registry.access.redhat.com/rhel7/rhel' } },
          ],
          'example.com/exact': [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: '/k', signedIdentity: { type: 'exactReference', dockerReference: 'docker.io/library/busybox:latest' } }],
          'private-mirror:5000/vendor-mirror': [{
            type: 'signedBy', keyType: 'GPGKeys', keyPath: '/k',
            signedIdentity: { type: 'remapIdentity', prefix: 'private-mirror:5000/vendor-mirror', signedPrefix: 'vendor.example.com' },
          }],
          '*.access.redhat.com': [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: '/k' }],
          '*.redhat.com': [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: '/k' }],
          '*.com': [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: '/k' }],
          'sigstore.example/keydata': [{ type: 'sigstoreSigned', keyData: B64, signedIdentity: { type: 'matchRepository' } }],
          'sigstore.example/keydatas': [{ type: 'sigstoreSigned', keyDatas: [B64, B64], rekorPublicKeyDatas: [B64] }],
          'sigstore.example/fulcio': [{ type: 'sigstoreSigned', fulcio: validFulcio, rekorPublicKeyPaths: ['/r1', '/r2'] }],
          'sigstore.example/pki': [{ type: 'sigstoreSigned', pki: { caRootsData: B64, caIntermediatesPath: '/i', subjectHostname: 'example.com' } }],
        },
      },
    }));
    assert.deepEqual(policy.default, [{ type: 'reject', at: 'default[0]' }]);
    assert.deepEqual([...policy.transports.keys()], ['dir', 'oci', 'unknown', 'docker']);
    const docker = policy.transports.get('docker');
    assert.ok(docker !== undefined);
    const production = docker.get('example.com/production')?.[0];
    assert.deepEqual(production, {
      type: 'signedBy', at: 'transports.docker["example.com/production"][0]', keyType: 'GPGKeys',
      keys: [{ kind: 'path', path: '/keys/employee-gpg-keyring', at: 'transports.docker["example.com/production"][0].keyPath' }],
      signedIdentity: { type: 'matchRepoDigestOrExact' },
    });
    const hardened = docker.get('example.com/hardened');
    assert.equal(hardened?.length, 3);
    assert.deepEqual(hardened[2], {
      type: 'signedBaseLayer', at: 'transports.docker["example.com/hardened"][2]',
      baseLayerIdentity: { type: 'exactRepository', dockerRepository: 'registry.access.redhat.com/rhel7/rhel' },
    });
    const keyDatas = docker.get('sigstore.example/keydatas')?.[0];
    assert.ok(keyDatas?.type === 'sigstoreSigned');
    assert.equal(keyDatas.publicKeys?.length, 2);
    assert.equal(keyDatas.rekorPublicKeys?.length, 1);
    assert.deepEqual(keyDatas.signedIdentity, { type: 'matchRepoDigestOrExact' });
    const fulcioRequirement = docker.get('sigstore.example/fulcio')?.[0];
    assert.ok(fulcioRequirement?.type === 'sigstoreSigned');
    assert.deepEqual(fulcioRequirement.fulcio, {
      at: 'transports.docker["sigstore.example/fulcio"][0].fulcio',
      ca: { kind: 'path', path: '/ca.pem', at: 'transports.docker["sigstore.example/fulcio"][0].fulcio.caPath' },
      oidcIssuer: 'https://issuer', subjectEmail: 'a@example.com',
    });
    const pkiRequirement = docker.get('sigstore.example/pki')?.[0];
    assert.ok(pkiRequirement?.type === 'sigstoreSigned');
    assert.equal(pkiRequirement.pki?.subjectHostname, 'example.com');
    assert.equal(pkiRequirement.pki.subjectEmail, undefined);
  });

  it('accepts what upstream allows: no transports, empty transports, an empty transport map, keyPaths [] for signedBy', () => {
    assert.equal(parsePolicy('{"default":[{"type":"insecureAcceptAnything"}]}').transports.size, 0);
    assert.equal(parsePolicy('{"default":[{"type":"reject"}],"transports":{}}').transports.size, 0);
    assert.equal(parsePolicy('{"default":[{"type":"reject"}],"transports":{"docker":{}}}').transports.get('docker')?.size, 0);
    const policy = parsePolicy(signedBy({ keyPaths: [] }));
    assert.deepEqual(policy.default[0], { type: 'signedBy', at: 'default[0]', keyType: 'GPGKeys', keys: [], signedIdentity: { type: 'matchRepoDigestOrExact' } });
  });

  it('keeps Go zero-value semantics: keyPath "" beside keyData still counts as one source for sigstoreSigned', () => {
    const policy = parsePolicy(sigstore({ keyPath: '', keyData: B64 }));
    const requirement = policy.default[0];
    assert.ok(requirement?.type === 'sigstoreSigned');
    assert.equal(requirement.publicKeys?.length, 1);
    assert.equal(requirement.publicKeys[0]?.kind, 'data');
  });

  it('validates remapIdentity prefixes exactly like TestValidateIdentityRemappingPrefix', () => {
    const valid = ['localhost', 'example.com', 'example.com:80', 'example.com/repo', 'example.com/ns1/ns2/ns3/repo.with.dots-dashes_underscores',
      'example.com:80/ns1/ns2/ns3/repo.with.dots-dashes_underscores', 'shortname', 'ns/shortname'];
    const invalid = ['', 'repo_with_underscores', 'example.com/', 'example.com/UPPERCASEISINVALID', 'example.com/repo/', 'example.com/repo:tag',
      `example.com/repo@${DIGEST}`, `example.com/repo:tag@${DIGEST}`];
    for (const prefix of valid) {
      assert.doesNotThrow(() => parsePolicy(identity({ type: 'remapIdentity', prefix, signedPrefix: prefix })), prefix);
    }
    for (const prefix of invalid) {
      assert.throws(() => parsePolicy(identity({ type: 'remapIdentity', prefix, signedPrefix: 'example.com' })), /is not valid/, prefix);
    }
  });
});
