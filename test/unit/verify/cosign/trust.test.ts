import assert from 'node:assert/strict';
import { isBobError } from '../../../../src/shared/index.ts';
import { toCosignTrust } from '../../../../src/verify/cosign/trust.ts';
import { createCosignVerifier, type CosignVerifierOptions } from '../../../../src/verify/index.ts';
import { createTestPki } from '../../../fixtures/sigstore/pki.ts';
import { ecKey } from './helpers.ts';

const pki = createTestPki();

function configErrorOf(options: CosignVerifierOptions): string {
  try {
    createCosignVerifier(options);
  } catch (error) {
    assert.ok(isBobError(error, 'CONFIG_INVALID'), String(error));
    assert.equal(error.errorClass, 'stalling');
    return error.message;
  }
  assert.fail('expected CONFIG_INVALID');
}

describe('verify/cosign options', () => {
  it('builds a keyed verifier, resolving attestation type shorthands', () => {
    const verifier = createCosignVerifier({ publicKeys: [{ name: 'a.pub', pem: ecKey().pem }], ignoreTlog: true });
    assert.equal(verifier.provider, 'cosign');
    const trust = toCosignTrust({ publicKeys: [{ name: 'a.pub', pem: ecKey().pem }], ignoreTlog: true, attestations: ['slsaprovenance', 'custom', 'https://example.test/p/v1'] });
    assert.deepEqual(trust.attestations, ['https://slsa.dev/provenance/v0.2', 'https://cosign.sigstore.dev/attestation/v1', 'https://example.test/p/v1']);
  });

  it('refuses ambiguous or empty configurations', () => {
    assert.match(configErrorOf({}), /exactly one of publicKeys and keyless/);
    assert.match(configErrorOf({ publicKeys: [{ name: 'a', pem: ecKey().pem }], keyless: { identities: [] } }), /exactly one/);
    assert.match(configErrorOf({ publicKeys: [], ignoreTlog: true }), /publicKeys: at least one key/);
    // An empty identity list never means "accept anyone".
    assert.match(configErrorOf({ keyless: { identities: [] }, trustedRoot: pki.trustedRoot(), ignoreSct: true }), /keyless\.identities: at least one identity is required/);
  });

  it('names a garbage key in a key set instead of skipping it', () => {
    const message = configErrorOf({ publicKeys: [{ name: 'good.pub', pem: ecKey().pem }, { name: 'garbage.pub', pem: 'xx' }], ignoreTlog: true });
    assert.match(message, /public key garbage\.pub/);
  });

  it('accepts keys of different algorithms in one set', () => {
    const ed = ecKey('P-384');
    const trust = toCosignTrust({ publicKeys: [{ name: 'p256', pem: ecKey().pem }, { name: 'p384', pem: ed.pem }], ignoreTlog: true });
    assert.deepEqual(trust.keys.map((key) => key.algorithm), ['ecdsa-p256-sha256', 'ecdsa-p384-sha384']);
  });

  it('requires a trusted root for the tlog, keyless, SCTs and signed timestamps', () => {
    assert.match(configErrorOf({ publicKeys: [{ name: 'a', pem: ecKey().pem }] }), /trustedRoot: required to verify transparency log entries/);
    const identities = [{ subjectRegExp: '.*@corp\\.com', issuer: 'https://issuer.bob.test' }];
    assert.match(configErrorOf({ keyless: { identities }, ignoreTlog: true }), /trustedRoot: required for keyless/);
    assert.match(configErrorOf({ keyless: { identities }, trustedRoot: pki.trustedRoot(), ignoreTlog: true }), /lists no CT log/);
    assert.match(configErrorOf({ keyless: { identities }, trustedRoot: pki.trustedRoot({ tlog: false }) , ignoreSct: true }), /lists no transparency log/);
    assert.match(configErrorOf({ keyless: { identities }, trustedRoot: pki.trustedRoot({ tsa: false }), ignoreSct: true, useSignedTimestamps: true }), /no timestamp authority/);
    assert.match(configErrorOf({ keyless: { identities }, trustedRoot: { mediaType: 'x' }, ignoreSct: true }), /trustedRoot: mediaType "x"/);
  });

  it('refuses invalid identity expressions and attestation types', () => {
    const base = { trustedRoot: pki.trustedRoot(), ignoreSct: true };
    assert.match(configErrorOf({ ...base, keyless: { identities: [{ subjectRegExp: '(', issuer: 'i' }] } }), /identities\[0\]\.subject: invalid regular expression/);
    assert.match(configErrorOf({ ...base, keyless: { identities: [{ subject: 'a', subjectRegExp: 'a', issuer: 'i' }] } }), /not both/);
    assert.match(configErrorOf({ ...base, keyless: { identities: [{ subject: 'a' }] } }), /identities\[0\]\.issuer: missing/);
    assert.match(configErrorOf({ publicKeys: [{ name: 'a', pem: ecKey().pem }], ignoreTlog: true, attestations: ['sbom please'] }), /attestations\[0\]: "sbom please" is neither/);
  });
});
