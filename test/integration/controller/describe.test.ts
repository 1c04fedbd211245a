// What a user sees with kubectl: `kubectl describe ocirepository` after a
// failed verification and after the success that follows signing, and the
// printer columns of `kubectl get ocirepo`, against the real kube-apiserver,
// the real CRD and the real kubectl. reconcile() is called directly.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { registry, scratchDir } from '../../env/environment.ts';
import { pushTestImage } from '../../env/fixtures.ts';
import { isolatedEnv } from '../../env/peers.ts';
import type { Registry } from '../../env/registries.ts';
import { run } from '../../env/run.ts';
import { toolPath } from '../../env/tools.ts';
import { kubeFixture, type KubeFixture } from '../kube/support.ts';
import { createKubeClients } from '../../../src/kube/index.ts';
import { ArtifactStore } from '../../../src/storage/index.ts';
import { createSystemClock } from '../../../src/shared/index.ts';
import {
  createReconcilerDependencies, createRegistryClientCache, reconcile, type ReconcilerDependencies,
} from '../../../src/controller/index.ts';

const PASSWORD = 'describe-test';
const REPORTING_CONTROLLER = 'source.k8sstormcenter.io/bob-controller';
const UNSIGNED_MESSAGE = "failed to verify the signature using provider 'cosign': no matching signatures were found";

type Fields = Record<string, string>;

/** The `Key:  value` lines of a describe block, one record per group starting at `first`. */
function toGroups(lines: readonly string[], first: string): Fields[] {
  const groups: Fields[] = [];
  for (const line of lines) {
    const match = /^\s*([A-Z][A-Za-z ]*):\s+(.*)$/.exec(line);
    if (match === null) continue;
    const [, key = '', value = ''] = match;
    if (key === first) groups.push({});
    const current = groups.at(-1);
    if (current !== undefined) current[key] = value.trim();
  }
  return groups;
}

/** The lines of the block under `heading` (a line ending in ':' at `indent`), up to the next line at that indent or less. */
function blockUnder(text: string, heading: string, indent: number): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line === `${' '.repeat(indent)}${heading}:`);
  assert.ok(start >= 0, `no ${heading}: block in\n${text}`);
  const block: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const lead = line.length - line.trimStart().length;
    if (line.trim() !== '' && lead <= indent) break;
    block.push(line);
  }
  return block;
}

/** Status > Conditions as records (Type, Status, Reason, Message, ...). */
function conditionsOf(describe: string): Fields[] {
  const status = blockUnder(describe, 'Status', 0);
  return toGroups(blockUnder(status.join('\n'), 'Conditions', 2), 'Last Transition Time');
}

/** The Events table: Type, Reason, Age, From, Message columns. */
function eventsOf(describe: string): { type: string; reason: string; from: string; message: string }[] {
  const lines = describe.split('\n');
  const start = lines.findIndex((line) => line.startsWith('Events:'));
  assert.ok(start >= 0, describe);
  const header = lines[start + 1] ?? '';
  assert.match(header, /^\s+Type\s+Reason\s+Age\s+From\s+Message\s*$/, header);
  return lines.slice(start + 3).filter((line) => line.trim() !== '').map((line) => {
    const [type = '', reason = '', , from = '', ...message] = line.trim().split(/\s{2,}/);
    return { type, reason, from, message: message.join('  ') };
  });
}

describe('kubectl describe / get for OCIRepository (real kube-apiserver and kubectl)', function () {
  this.timeout(180_000);
  let fixture: KubeFixture;
  let deps: ReconcilerDependencies;
  let reg: Registry;
  let home: string;
  let cosignEnv: NodeJS.ProcessEnv;
  let digest: string;
  const signal = (): AbortSignal => AbortSignal.timeout(60_000);
  const describeObject = async (): Promise<string> => fixture.kubectl('-n', fixture.namespace, 'describe', 'ocirepository', 'honey');

  before(async () => {
    fixture = await kubeFixture('describe');
    reg = await registry({ kind: 'distribution' });
    home = scratchDir('describe');
    const workDir = join(home, 'work');
    mkdirSync(workDir, { recursive: true });
    cosignEnv = isolatedEnv(home, { COSIGN_PASSWORD: PASSWORD, SIGSTORE_NO_CACHE: '1', TUF_ROOT: join(home, 'tuf') });
    const clock = createSystemClock();
    deps = createReconcilerDependencies({
      kube: createKubeClients({ kubeconfigPath: fixture.cluster.kubeconfig }), reportingInstance: 'describe-test', clock, workDir,
      store: new ArtifactStore({ root: join(home, 'storage'), baseUrl: 'http://storage.test', clock }),
      registries: createRegistryClientCache({ base: { clock } }),
    });
    await run(toolPath('cosign2'), ['generate-key-pair'], { env: cosignEnv, cwd: home });
    await fixture.kubectl('-n', fixture.namespace, 'create', 'secret', 'generic', 'cosign-pub', `--from-file=cosign.pub=${join(home, 'cosign.pub')}`);
    digest = (await pushTestImage(reg, home, 'describe/honey', 'stable', 'describe me\n')).digest;
    await fixture.kubectlInput(JSON.stringify({
      apiVersion: 'source.k8sstormcenter.io/v1alpha1', kind: 'OCIRepository', metadata: { name: 'honey', namespace: fixture.namespace },
      spec: { url: `oci://${reg.host}/describe/honey`, ref: { tag: 'stable' }, interval: '5m', insecure: true, verify: { provider: 'cosign', secretRef: { name: 'cosign-pub' } } },
    }), 'apply', '-f', '-');
  });

  it('after a failed verification: Ready and SourceVerified False with cosign\'s message, and the Warning event', async () => {
    assert.equal((await reconcile(`${fixture.namespace}/honey`, deps, signal())).kind, 'retry');
    const out = await describeObject();
    const conditions = conditionsOf(out);
    const byType = new Map(conditions.map((c) => [c['Type'], c]));
    for (const type of ['Ready', 'SourceVerified']) {
      const condition = byType.get(type);
      assert.deepEqual(
        [condition?.['Status'], condition?.['Reason'], condition?.['Message']], ['False', 'VerificationError', UNSIGNED_MESSAGE], `${type} in\n${out}`,
      );
    }
    assert.equal(byType.get('Reconciling')?.['Status'], 'True', out);
    assert.equal(byType.get('ArtifactInStorage'), undefined, 'nothing stored yet');
    assert.doesNotMatch(blockUnder(out, 'Status', 0).join('\n'), /^ {2}Artifact:/m);
    const events = eventsOf(out);
    assert.deepEqual(events.map((e) => [e.type, e.reason, e.message]), [['Warning', 'VerificationError', UNSIGNED_MESSAGE]], out);
  });

  it('after signing: Ready, SourceVerified and ArtifactInStorage True, the artifact, and both events', async () => {
    await run(toolPath('cosign2'), ['sign', '--key', 'cosign.key', '--tlog-upload=false', '--allow-http-registry', '--yes', `${reg.host}/describe/honey@${digest}`],
      { env: cosignEnv, cwd: home });
    assert.equal((await reconcile(`${fixture.namespace}/honey`, deps, signal())).kind, 'success');
    const revision = `stable@${digest}`;
    const out = await describeObject();
    const byType = new Map(conditionsOf(out).map((c) => [c['Type'], c]));
    const expected: [string, string, string, string][] = [
      ['Ready', 'True', 'Succeeded', `stored artifact for digest '${revision}'`],
      ['ArtifactInStorage', 'True', 'Succeeded', `stored artifact for digest '${revision}'`],
      ['SourceVerified', 'True', 'Succeeded', `verified signature of revision ${revision}`],
    ];
    for (const [type, status, reason, message] of expected) {
      const condition = byType.get(type);
      assert.deepEqual([condition?.['Status'], condition?.['Reason'], condition?.['Message']], [status, reason, message], `${type} in\n${out}`);
    }
    assert.equal(byType.get('Reconciling'), undefined, out);
    const [artifact] = toGroups(blockUnder(blockUnder(out, 'Status', 0).join('\n'), 'Artifact', 2), 'Digest');
    assert.equal(artifact?.['Revision'], revision, out);
    assert.match(artifact['Digest'] ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.match(out, /^ {2}URL:\s+http:\/\/storage\.test\/ocirepository\/.+\/honey\/latest\.tar\.gz$/m);
    const events = eventsOf(out);
    const shown = events.map((e) => [e.type, e.reason, e.message]);
    assert.deepEqual(shown, [
      ['Warning', 'VerificationError', UNSIGNED_MESSAGE],
      ['Normal', 'NewArtifact', `stored artifact with revision '${revision}' from 'oci://${reg.host}/describe/honey'`],
    ], out);
    // events.k8s.io reportingController, shown by describe as From.
    assert.deepEqual(events.map((e) => e.from), [REPORTING_CONTROLLER, REPORTING_CONTROLLER], out);
  });

  it('kubectl get ocirepo shows the URL, Ready and Status columns', async () => {
    const out = await fixture.kubectl('-n', fixture.namespace, 'get', 'ocirepo');
    const [header = '', row = '', ...rest] = out.trimEnd().split('\n');
    assert.deepEqual(header.trim().split(/\s+/), ['NAME', 'URL', 'READY', 'STATUS', 'AGE']);
    assert.deepEqual(rest, []);
    const [name, url, ready, ...statusAndAge] = row.trim().split(/\s{2,}|\s(?=\S+$)/);
    assert.deepEqual([name, url, ready], ['honey', `oci://${reg.host}/describe/honey`, 'True'], out);
    assert.equal(statusAndAge.slice(0, -1).join(' ').trim(), `stored artifact for digest 'stable@${digest}'`, out);
  });
});
