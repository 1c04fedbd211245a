// `bobctl discover` against real registries: what `oras attach` attaches is
// listed, through the tag schema on distribution 2.8 and through the
// referrers API on olareg and zot, recursively and filtered by type.
// zot 1.4.3 reports a referrer's artifactType as its config media type (the
// empty type for oras attach) and filters on that; bobctl reads the manifest
// to learn the real type, so the results match the other registries.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bobctl, bobctlFlags } from '../../env/bobctl.ts';
import { registry, scratchDir } from '../../env/environment.ts';
import { pushTestImage } from '../../env/fixtures.ts';
import type { RegistryKind } from '../../env/registries.ts';
import { oras } from './helpers.ts';

interface Node {
  readonly artifactType?: string;
  readonly digest: string;
  readonly annotations?: Record<string, string>;
  readonly referrers: readonly Node[];
}

interface Tree {
  readonly digest: string;
  readonly referrers: readonly Node[];
}

const SBOM = 'application/vnd.bob.test.sbom';
const SIGNATURE = 'application/vnd.bob.test.signature';
const VEX = 'application/vnd.bob.test.vex';

/** The new manifest's digest from `oras attach` output (`Digest: sha256:...`). */
function digestIn(output: string): string {
  const digest = /^Digest: (sha256:[0-9a-f]{64})$/m.exec(output)?.[1];
  assert.ok(digest !== undefined, output);
  return digest;
}

describe('bobctl discover', function () {
  this.timeout(120_000);

  for (const kind of ['distribution', 'olareg', 'zot'] as const satisfies readonly RegistryKind[]) {
    it(`shows what oras attach attached, recursively and filtered, on ${kind}`, async () => {
      const reg = await registry({ kind });
      const home = scratchDir(`discover-${kind}`);
      const image = await pushTestImage(reg, home, 'cli/discover', 'v1');
      writeFileSync(join(home, 'sbom.json'), '{"sbom":true}\n');
      writeFileSync(join(home, 'sig.txt'), 'signature\n');
      writeFileSync(join(home, 'vex.json'), '{"vex":true}\n');
      const sbom = digestIn(await oras(reg, home, 'attach', image.ref, '--artifact-type', SBOM, '--annotation', 'purpose=test', 'sbom.json:application/json'));
      const vex = digestIn(await oras(reg, home, 'attach', image.ref, '--artifact-type', VEX, 'vex.json:application/json'));
      const signature = digestIn(await oras(reg, home, 'attach', `${reg.host}/${image.repository}@${sbom}`, '--artifact-type', SIGNATURE, 'sig.txt:text/plain'));

      const json = await bobctl(['discover', `oci://${image.ref}`, ...bobctlFlags(reg), '-o', 'json']);
      assert.equal(json.code, 0, json.stderr);
      const tree = JSON.parse(json.stdout) as Tree;
      assert.equal(tree.digest, image.digest);
      const byType = new Map(tree.referrers.map((n) => [n.artifactType, n]));
      assert.deepEqual([...byType.keys()].sort(), [SBOM, VEX]);
      assert.equal(byType.get(SBOM)?.digest, sbom);
      assert.equal(byType.get(SBOM)?.annotations?.['purpose'], 'test');
      assert.equal(byType.get(VEX)?.digest, vex);
      assert.deepEqual(byType.get(SBOM)?.referrers.map((n) => [n.artifactType, n.digest]), [[SIGNATURE, signature]]);

      // The filter applies at the first level; what refers to the match is still shown.
      const filtered = await bobctl(['discover', `oci://${image.ref}`, ...bobctlFlags(reg), '--artifact-type', SBOM, '-o', 'yaml']);
      assert.equal(filtered.code, 0, filtered.stderr);
      assert.match(filtered.stdout, new RegExp(SIGNATURE.replace(/[.+]/g, '\\$&')));
      assert.doesNotMatch(filtered.stdout, /vnd\.bob\.test\.vex/);

      const shallow = await bobctl(['discover', `oci://${image.ref}`, ...bobctlFlags(reg), '--depth', '1']);
      assert.equal(shallow.code, 0, shallow.stderr);
      const lines = shallow.stdout.trimEnd().split('\n');
      assert.equal(lines[0], `oci://${image.ref}@${image.digest}`);
      assert.equal(lines.length, 3, shallow.stdout);
      assert.ok(lines.slice(1).every((line) => /^(├|└)── application\/vnd\.bob\.test\.(sbom|vex) {2}sha256:/.test(line)), shallow.stdout);
    });
  }

  it('says so when nothing refers to the subject, and fails with exit 4 for a missing tag', async () => {
    const reg = await registry({ kind: 'olareg' });
    const home = scratchDir('discover-none');
    const image = await pushTestImage(reg, home, 'cli/discover-none', 'v1');
    const none = await bobctl(['discover', `oci://${image.ref}`, ...bobctlFlags(reg)]);
    assert.equal(none.code, 0, none.stderr);
    assert.ok(none.stdout.endsWith('(no referrers)\n'), none.stdout);
    const missing = await bobctl(['discover', `oci://${reg.host}/cli/discover-none:absent`, ...bobctlFlags(reg)]);
    assert.equal(missing.code, 4, missing.stderr);
  });
});
