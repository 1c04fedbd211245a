// docs/cli.md, run as a reader would: in a git checkout with a deploy/
// directory and a GPG key, against a plain-HTTP registry.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registry, scratchDir } from '../../env/environment.ts';
import { run } from '../../env/run.ts';
import { repoRoot, runPage } from './doc-shell.ts';

const PAGE = join(repoRoot, 'docs', 'cli.md');

/** A reader's checkout: a git repository with an origin, a branch and one commit of deploy/. */
async function readerCheckout(dir: string): Promise<void> {
  mkdirSync(join(dir, 'deploy'), { recursive: true });
  writeFileSync(join(dir, 'deploy', 'configmap.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: honey\ndata:\n  flavour: acacia\n');
  const git = (...args: string[]) => run('git', args, { cwd: dir, env: { ...process.env, HOME: dir } });
  await git('init', '-q', '-b', 'main');
  await git('remote', 'add', 'origin', 'https://git.example.test/team/honey.git');
  await git('add', 'deploy');
  await git('-c', 'user.name=Reader', '-c', 'user.email=reader@example.test', 'commit', '-q', '-m', 'deploy honey');
  // The signer's key, unprotected so the page's export needs no pinentry.
  await run('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'signer@example.test', 'default', 'default', 'never'], { env: { ...process.env, HOME: dir } });
}

describe('docs/cli.md (every sh block, in order)', function () {
  this.timeout(300_000);

  it('runs against a registry, and what it made is there', async () => {
    const reg = await registry({ kind: 'distribution' });
    const cwd = scratchDir('cli-page');
    await readerCheckout(cwd);
    const result = await runPage(PAGE, { cwd, env: { REGISTRY: reg.host } });
    assert.ok(existsSync(join(cwd, 'out', 'configmap.yaml')), 'pull artifact extracted deploy/');
    assert.ok(existsSync(join(cwd, 'honey.tgz')), 'build artifact wrote the tarball');
    assert.match(result.stdout, new RegExp(`Verified oci://${reg.host}/team/honey:v1`));
    assert.match(result.stdout, /"verified": true/);
  });
});
