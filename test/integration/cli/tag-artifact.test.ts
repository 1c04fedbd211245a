// `bobctl tag artifact` against distribution 2.8 with TLS (--ca-file) and
// basic auth (--creds): every new tag names the same digest, checked with oras.
import assert from 'node:assert/strict';
import { bobctl, bobctlFlags } from '../../env/bobctl.ts';
import { registry, scratchDir } from '../../env/environment.ts';
import { oras, pushBobArtifact } from './helpers.ts';

describe('bobctl tag artifact', function () {
  this.timeout(120_000);

  it('puts the manifest under each new tag over TLS with basic auth', async () => {
    const reg = await registry({ kind: 'distribution', tls: true, auth: 'basic' });
    const home = scratchDir('tag');
    const artifact = await pushBobArtifact(reg, home, 'cli/tag', 'v1');
    const result = await bobctl(['tag', 'artifact', `oci://${artifact.ref}`, ...bobctlFlags(reg), '--tag', 'stable,prod', '--tag', 'v1-final']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.trimEnd().split('\n'), ['stable', 'prod', 'v1-final'].map((tag) => `oci://${reg.host}/cli/tag:${tag}@${artifact.digest}`));
    for (const tag of ['stable', 'prod', 'v1-final']) {
      assert.equal((await oras(reg, home, 'resolve', `${reg.host}/cli/tag:${tag}`)).trim(), artifact.digest);
    }
  });

  it('prints JSON and tags by digest', async () => {
    const reg = await registry({ kind: 'distribution', tls: true, auth: 'basic' });
    const home = scratchDir('tag-json');
    const artifact = await pushBobArtifact(reg, home, 'cli/tag-json', 'v1');
    const result = await bobctl(['tag', 'artifact', `oci://${reg.host}/cli/tag-json@${artifact.digest}`, ...bobctlFlags(reg), '--tag', 'pinned', '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), [{
      url: `oci://${reg.host}/cli/tag-json:pinned@${artifact.digest}`, repository: `${reg.host}/cli/tag-json`, tag: 'pinned', digest: artifact.digest,
    }]);
  });

  it('exits 3 for wrong credentials and 4 for a missing source, without echoing the password', async () => {
    const reg = await registry({ kind: 'distribution', tls: true, auth: 'basic' });
    const caFlags = reg.caFile === undefined ? [] : ['--ca-file', reg.caFile];
    const refused = await bobctl(['tag', 'artifact', `oci://${reg.host}/cli/tag:v1`, ...caFlags, '--creds', 'bob:wrong-secret-value', '--tag', 'x']);
    assert.equal(refused.code, 3, refused.stderr);
    assert.doesNotMatch(refused.stderr, /wrong-secret-value/);
    const missing = await bobctl(['tag', 'artifact', `oci://${reg.host}/cli/tag:absent`, ...bobctlFlags(reg), '--tag', 'x']);
    assert.equal(missing.code, 4, missing.stderr);
  });
});
