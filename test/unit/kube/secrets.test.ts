import assert from 'node:assert/strict';
import { isBobError } from '../../../src/shared/index.ts';
import { toImagePullSecretNames, toSecretData } from '../../../src/kube/index.ts';

describe('kube/secrets', () => {
  it('decodes Secret data to bytes and keeps the type', () => {
    const secret = toSecretData({
      kind: 'Secret', type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from('{"auths":{}}').toString('base64'), bin: Buffer.from([0, 255, 1]).toString('base64'), empty: '' },
    }, 'get secret default/x');
    assert.equal(secret.type, 'kubernetes.io/dockerconfigjson');
    assert.equal(Buffer.from(secret.data.get('.dockerconfigjson') ?? []).toString(), '{"auths":{}}');
    assert.deepEqual([...(secret.data.get('bin') ?? [])], [0, 255, 1]);
    assert.equal(secret.data.get('empty')?.length, 0);
  });

  it('defaults a missing type to Opaque and missing data to empty', () => {
    const secret = toSecretData({ kind: 'Secret' }, 'op');
    assert.equal(secret.type, 'Opaque');
    assert.equal(secret.data.size, 0);
  });

  it('refuses non-base64 values without quoting them', () => {
    assert.throws(() => toSecretData({ data: { password: 'hunter2!!' } }, 'get secret default/x'), (error) => {
      assert.ok(isBobError(error, 'KUBE_RESPONSE_INVALID'));
      assert.equal(error.message, 'get secret default/x: data.password is not base64');
      return true;
    });
  });

  it('lists imagePullSecrets names in order, skipping malformed entries', () => {
    assert.deepEqual(toImagePullSecretNames({ imagePullSecrets: [{ name: 'a' }, {}, { name: 'b' }] }, 'op'), ['a', 'b']);
    assert.deepEqual(toImagePullSecretNames({}, 'op'), []);
    assert.throws(() => toImagePullSecretNames({ imagePullSecrets: 'a' }, 'op'), (e) => isBobError(e, 'KUBE_RESPONSE_INVALID'));
  });
});
