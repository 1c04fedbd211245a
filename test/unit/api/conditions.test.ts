import assert from 'node:assert/strict';
import {
  CONDITION, CONDITION_MESSAGE_MAX, findCondition, hasConditionStatus, markReconciling, markStalled, REASON, removeCondition,
  setCondition, setReadySummary, summarizeReady, toKubeTime, type Condition, type ConditionStatus,
} from '../../../src/api/index.ts';

const T0 = '2030-01-01T00:00:00Z';
const NOW = new Date('2030-01-02T03:04:05.678Z');
const NOW_TEXT = '2030-01-02T03:04:05Z';

function c(type: string, status: ConditionStatus, reason: string, message = `${type} says ${reason}`): Condition {
  return { type, status, reason, message, lastTransitionTime: T0, observedGeneration: 1 };
}

describe('api: conditions', () => {
  it('toKubeTime writes RFC 3339 UTC with second precision', () => {
    assert.equal(toKubeTime(NOW), NOW_TEXT);
  });

  it('setCondition adds a condition stamped now, without touching the input', () => {
    const input: Condition[] = [];
    const out = setCondition(input, { type: 'FetchFailed', status: 'True', reason: 'AuthenticationFailed', message: 'm', observedGeneration: 2 }, NOW);
    assert.deepEqual(out, [{ type: 'FetchFailed', status: 'True', observedGeneration: 2, lastTransitionTime: NOW_TEXT, reason: 'AuthenticationFailed', message: 'm' }]);
    assert.deepEqual(input, []);
  });

  it('setCondition keeps lastTransitionTime while the status is unchanged, even if reason and message change', () => {
    const out = setCondition([c('Ready', 'False', 'A')], { type: 'Ready', status: 'False', reason: 'B', message: 'new', observedGeneration: 2 }, NOW);
    assert.deepEqual(out, [{ type: 'Ready', status: 'False', observedGeneration: 2, lastTransitionTime: T0, reason: 'B', message: 'new' }]);
  });

  it('setCondition moves lastTransitionTime when the status changes', () => {
    const [ready] = setCondition([c('Ready', 'False', 'A')], { type: 'Ready', status: 'True', reason: 'Succeeded', message: 'ok' }, NOW);
    assert.ok(ready);
    assert.equal(ready.lastTransitionTime, NOW_TEXT);
    assert.equal(ready.observedGeneration, undefined);
  });

  it('sorts Stalled, Reconciling, Ready first, then by type (Flux lexicographicLess)', () => {
    let list: Condition[] = [];
    for (const type of ['SourceVerified', 'Ready', 'ArtifactInStorage', 'Reconciling', 'Stalled', 'FetchFailed']) {
      list = setCondition(list, { type, status: 'True', reason: 'R', message: '' }, NOW);
    }
    assert.deepEqual(list.map((x) => x.type), ['Stalled', 'Reconciling', 'Ready', 'ArtifactInStorage', 'FetchFailed', 'SourceVerified']);
  });

  it('caps the message at metav1\'s 32768 characters without splitting a surrogate pair', () => {
    const long = setCondition([], { type: 'Ready', status: 'False', reason: 'R', message: 'x'.repeat(40_000) }, NOW);
    assert.equal(long[0]?.message.length, CONDITION_MESSAGE_MAX);
    const emoji = `${'x'.repeat(CONDITION_MESSAGE_MAX - 1)}\u{1F600}`;
    const cut = setCondition([], { type: 'Ready', status: 'False', reason: 'R', message: emoji }, NOW);
    assert.equal(cut[0]?.message, 'x'.repeat(CONDITION_MESSAGE_MAX - 1));
  });

  it('removeCondition, findCondition, hasConditionStatus', () => {
    const list = [c('Ready', 'True', 'Succeeded'), c('FetchFailed', 'True', 'X')];
    assert.deepEqual(removeCondition(list, 'FetchFailed').map((x) => x.type), ['Ready']);
    assert.deepEqual(removeCondition(list, 'Nope'), list);
    assert.equal(findCondition(list, 'FetchFailed')?.reason, 'X');
    assert.equal(hasConditionStatus(list, 'Ready', 'True'), true);
    assert.equal(hasConditionStatus(list, 'Ready', 'False'), false);
    assert.equal(hasConditionStatus(list, 'Stalled', 'True'), false);
  });

  it('markReconciling drops Stalled; markStalled drops Reconciling (kstatus)', () => {
    const stalled = [c('Stalled', 'True', 'URLInvalid'), c('Ready', 'False', 'URLInvalid')];
    const reconciling = markReconciling(stalled, REASON.progressing, 'reconciliation in progress', 4, NOW);
    assert.deepEqual(reconciling.map((x) => `${x.type}=${x.status}/${x.reason}`), ['Reconciling=True/Progressing', 'Ready=False/URLInvalid']);
    const again = markStalled(reconciling, REASON.urlInvalid, 'bad', 4, NOW);
    assert.deepEqual(again.map((x) => `${x.type}=${x.status}/${x.reason}`), ['Stalled=True/URLInvalid', 'Ready=False/URLInvalid']);
    assert.equal(again[0]?.observedGeneration, 4);
  });
});

describe('api: summarizeReady (Flux summary rules)', () => {
  const stored = c(CONDITION.artifactInStorage, 'True', 'Succeeded', "stored artifact for digest 'latest@sha256:1'");
  const verified = c(CONDITION.sourceVerified, 'True', 'Succeeded', 'verified signature of revision latest@sha256:1');
  const verifyFailed = c(CONDITION.sourceVerified, 'False', 'VerificationError', "failed to verify the signature using provider 'cosign': no matching signatures");
  const retrying = c(CONDITION.reconciling, 'True', 'ProgressingWithRetry', 'reconciliation in progress');
  const building = c(CONDITION.reconciling, 'True', 'Progressing', "building artifact: new revision 'v2@sha256:2' for 'v1@sha256:1'");
  const fetchFailed = c(CONDITION.fetchFailed, 'True', 'AuthenticationFailed', "failed to get credential: secret 'pull' not found");
  const urlFetch = c(CONDITION.fetchFailed, 'True', 'URLInvalid', "URL validation failed for 'oci://x'");
  const urlStalled = c(CONDITION.stalled, 'True', 'URLInvalid', 'stalled: URL validation failed');
  const storageFailed = c(CONDITION.storageOperationFailed, 'True', 'ArchiveOperationFailed', 'unable to archive artifact to storage');
  const outdated = c(CONDITION.artifactOutdated, 'True', 'NewRevision', "new revision 'v2@sha256:2' for 'v1@sha256:1'");

  const cases: { name: string; conditions: Condition[]; ready: [ConditionStatus, string, string] | undefined }[] = [
    { name: 'nothing to summarize leaves Ready alone', conditions: [], ready: undefined },
    { name: 'conditions outside the summary are ignored', conditions: [c('Custom', 'True', 'X'), c('Ready', 'False', 'Old')], ready: undefined },
    { name: 'artifact stored: Ready=True with ArtifactInStorage\'s reason and message', conditions: [stored],
      ready: ['True', 'Succeeded', stored.message] },
    { name: 'stored and verified: ArtifactInStorage comes first in priority', conditions: [verified, stored],
      ready: ['True', 'Succeeded', stored.message] },
    { name: 'only verified: its own message', conditions: [verified], ready: ['True', 'Succeeded', verified.message] },
    { name: 'an old Ready does not count', conditions: [c('Ready', 'False', 'Old'), stored], ready: ['True', 'Succeeded', stored.message] },
    { name: 'fetch failure beats a retrying Reconciling and a stored artifact', conditions: [retrying, stored, fetchFailed],
      ready: ['False', 'AuthenticationFailed', fetchFailed.message] },
    { name: 'storage failure beats fetch failure', conditions: [fetchFailed, storageFailed],
      ready: ['False', 'ArchiveOperationFailed', storageFailed.message] },
    { name: 'stalled URL: FetchFailed\'s message comes before Stalled\'s', conditions: [urlStalled, urlFetch],
      ready: ['False', 'URLInvalid', urlFetch.message] },
    { name: 'stalled alone (FeatureGateDisabled sets no FetchFailed)', conditions: [c('Stalled', 'True', 'FeatureGateDisabled', 'gate')],
      ready: ['False', 'FeatureGateDisabled', 'gate'] },
    { name: 'new revision: ArtifactOutdated before Reconciling', conditions: [building, outdated, stored, verified],
      ready: ['False', 'NewRevision', outdated.message] },
    { name: 'Reconciling alone: Ready=False Progressing', conditions: [building], ready: ['False', 'Progressing', building.message] },
    { name: 'SourceVerified=False forces Ready=False with its reason over every True negative',
      conditions: [retrying, fetchFailed, storageFailed, verifyFailed, stored],
      ready: ['False', 'VerificationError', verifyFailed.message] },
    { name: 'SourceVerified=False with a stored artifact', conditions: [stored, verifyFailed],
      ready: ['False', 'VerificationError', verifyFailed.message] },
    { name: 'SourceVerified=Unknown alone: Ready=Unknown', conditions: [c('SourceVerified', 'Unknown', 'Progressing', 'p')],
      ready: ['Unknown', 'Progressing', 'p'] },
    { name: 'a True positive beats an Unknown', conditions: [c('SourceVerified', 'Unknown', 'Progressing'), stored],
      ready: ['True', 'Succeeded', stored.message] },
    { name: 'a False positive (ArtifactInStorage=False) beats a True positive', conditions: [verified, c('ArtifactInStorage', 'False', 'Gone', 'g')],
      ready: ['False', 'Gone', 'g'] },
    { name: 'a False negative inverts to True', conditions: [c('FetchFailed', 'False', 'Recovered', 'r')],
      ready: ['True', 'Recovered', 'r'] },
    { name: 'a True positive beats a False negative', conditions: [c('FetchFailed', 'False', 'Recovered', 'r'), stored],
      ready: ['True', 'Succeeded', stored.message] },
  ];
  for (const { name, conditions, ready } of cases) {
    it(name, () => {
      const summary = summarizeReady(conditions);
      if (ready === undefined) assert.equal(summary, undefined);
      else assert.deepEqual(summary, { type: 'Ready', status: ready[0], reason: ready[1], message: ready[2] });
    });
  }

  it('setReadySummary writes Ready with the generation, first among non-kstatus conditions', () => {
    const out = setReadySummary([stored, retrying], 5, NOW);
    assert.deepEqual(out.map((x) => x.type), ['Reconciling', 'Ready', 'ArtifactInStorage']);
    assert.deepEqual(findCondition(out, 'Ready'), {
      type: 'Ready', status: 'False', observedGeneration: 5, lastTransitionTime: NOW_TEXT, reason: 'ProgressingWithRetry', message: retrying.message,
    });
    assert.deepEqual(setReadySummary([c('Custom', 'True', 'X')], 5, NOW), [c('Custom', 'True', 'X')]);
  });
});
