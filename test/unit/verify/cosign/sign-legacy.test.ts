// The legacy payload and signature-manifest config are byte for byte what
// cosign 2.6 pushed for the same inputs (captured from a real `cosign sign`
// against a local registry; the digests below are those of its blobs).
import assert from 'node:assert/strict';
import { digestOf } from '../../../../src/shared/index.ts';
import { toDockerReference, toSignatureConfig, toSimpleSigningPayload } from '../../../../src/verify/cosign/sign-legacy.ts';

const SIGNED = 'sha256:d608a652b8c7cf628e7358a00d8106734929c3154434f7cda31c0944811e9798';
// Layer blob cosign 2.6.5 pushed when signing 127.0.0.1:42753/exp/cosign2@SIGNED.
const COSIGN_PAYLOAD = '{"critical":{"identity":{"docker-reference":"127.0.0.1:42753/exp/cosign2"},"image":{"docker-manifest-digest":"sha256:d608a652b8c7cf628e7358a00d8106734929c3154434f7cda31c0944811e9798"},"type":"cosign container image signature"},"optional":null}';
const COSIGN_PAYLOAD_DIGEST = 'sha256:697eca6544a7afde9005817b657a7d9316b9b7c1afa8939f502c53fce3f006b0';
// Config cosign 2.6.5 pushed after a second key signed the same payload (two layers).
const TWO_LAYER_LAYER = 'sha256:1d40b715262277d24beb789e7d686a62a74cb8e0b07d7fa5ae716611fefc3167';
const COSIGN_TWO_LAYER_CONFIG = '{"architecture":"","created":"0001-01-01T00:00:00Z","history":[{"created":"0001-01-01T00:00:00Z"},{"created":"0001-01-01T00:00:00Z"}],"os":"","rootfs":{"type":"layers","diff_ids":["sha256:1d40b715262277d24beb789e7d686a62a74cb8e0b07d7fa5ae716611fefc3167","sha256:1d40b715262277d24beb789e7d686a62a74cb8e0b07d7fa5ae716611fefc3167"]},"config":{}}';
const COSIGN_TWO_LAYER_CONFIG_DIGEST = 'sha256:a77b6e3c4ba7e65f44c50488e2bddb0c4ae827f61b2f35ec70f588940f61e43e';
const COSIGN_ONE_LAYER_CONFIG_DIGEST = 'sha256:b545e2569d3aeb1a9e430b06c2ad3baa37a7b4ddae772d8a24121ce47875981c';

describe('verify/cosign legacy signature layout', () => {
  it('writes the simple-signing payload exactly as cosign does', () => {
    const payload = toSimpleSigningPayload({ registry: '127.0.0.1:42753', repository: 'exp/cosign2' }, SIGNED);
    assert.equal(new TextDecoder().decode(payload), COSIGN_PAYLOAD);
    assert.equal(digestOf(payload), COSIGN_PAYLOAD_DIGEST);
  });

  it('names Docker Hub repositories index.docker.io/... like go-containerregistry', () => {
    assert.equal(toDockerReference({ registry: 'docker.io', repository: 'library/busybox' }), 'index.docker.io/library/busybox');
    assert.equal(toDockerReference({ registry: 'ghcr.io', repository: 'org/app' }), 'ghcr.io/org/app');
  });

  it('rebuilds the signature config as go-containerregistry leaves it after appending', () => {
    const two = toSignatureConfig([TWO_LAYER_LAYER, TWO_LAYER_LAYER]);
    assert.equal(new TextDecoder().decode(two), COSIGN_TWO_LAYER_CONFIG);
    assert.equal(digestOf(two), COSIGN_TWO_LAYER_CONFIG_DIGEST);
    assert.equal(digestOf(toSignatureConfig([COSIGN_PAYLOAD_DIGEST])), COSIGN_ONE_LAYER_CONFIG_DIGEST);
  });
});
