// Signature attachments are read with every count and size capped before
// anything is allocated, and a referrer only counts when it names the
// subject: checked against real registries (tag fallback on distribution,
// the referrers API on olareg).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  OCI_EMPTY, OCI_EMPTY_DIGEST, OCI_INDEX, OCI_MANIFEST, RegistryClient, toReferrersTag, type Descriptor,
} from '../../../src/oci/index.ts';
import { digestOf } from '../../../src/shared/index.ts';
import {
  DEFAULT_VERIFY_LIMITS, type VerificationContext, type VerificationSubject, type VerifyLimits,
} from '../../../src/verify/index.ts';
import {
  fetchSignatureBlob, fetchTagAttachment, listReferrerArtifacts, toAttachmentTag,
} from '../../../src/verify/attachments.ts';
import { isRejectionError } from '../../../src/verify/errors.ts';
import { registry, scratchDir } from '../../env/environment.ts';
import { pushTestImage } from '../../env/fixtures.ts';
import type { Registry } from '../../env/registries.ts';

const SIGNATURE_TYPE = 'application/vnd.example.signature';
const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

function clientFor(reg: Registry): RegistryClient {
  return new RegistryClient({
    hosts: { [reg.host]: { plainHttp: !reg.tls, ...(reg.caFile === undefined ? {} : { ca: readFileSync(reg.caFile) }) } },
  });
}

function contextFor(client: RegistryClient, limits: Partial<VerifyLimits> = {}): VerificationContext {
  return {
    client, signal: AbortSignal.timeout(60_000), now: () => new Date(), limits: { ...DEFAULT_VERIFY_LIMITS, ...limits },
  };
}

async function subjectIn(reg: Registry, repository: string, tag: string): Promise<VerificationSubject> {
  const image = await pushTestImage(reg, scratchDir('attachments'), repository, tag, `content of ${tag}\n`);
  return {
    reference: { registry: reg.host, repository, tag },
    descriptor: { mediaType: OCI_MANIFEST, digest: image.digest, size: 0 },
  };
}

async function pushBlob(client: RegistryClient, subject: VerificationSubject, bytes: Uint8Array): Promise<Descriptor> {
  await client.pushBlob(subject.reference, bytes, { signal: AbortSignal.timeout(30_000) });
  return { mediaType: 'application/octet-stream', digest: digestOf(bytes), size: bytes.length };
}

/** Pushes a signature-like referrer of `subjectDigest` and returns its descriptor. */
async function pushReferrer(client: RegistryClient, subject: VerificationSubject, subjectDigest: string, payload: string): Promise<Descriptor> {
  await client.pushBlob(subject.reference, new TextEncoder().encode('{}'), { signal: AbortSignal.timeout(30_000) });
  const layer = await pushBlob(client, subject, new TextEncoder().encode(payload));
  const bytes = encode({
    schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: SIGNATURE_TYPE,
    config: { mediaType: OCI_EMPTY, digest: OCI_EMPTY_DIGEST, size: 2 },
    layers: [layer], subject: { mediaType: OCI_MANIFEST, digest: subjectDigest, size: 1 },
  });
  return client.pushManifest(subject.reference, bytes, { signal: AbortSignal.timeout(30_000), mediaType: OCI_MANIFEST });
}

async function rejectionOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isRejectionError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  assert.fail('expected a rejection');
}

describe('verify: signature attachments on real registries', function () {
  this.timeout(120_000);

  it('reads no tag attachment as "none", and caps the layers of one', async () => {
    const reg = await registry({ kind: 'distribution' });
    const client = clientFor(reg);
    try {
      const subject = await subjectIn(reg, 'verify/attachments', 'layers');
      assert.equal(await fetchTagAttachment(subject, 'sig', contextFor(client)), undefined);
      const layer = await pushBlob(client, subject, new TextEncoder().encode('payload'));
      await client.pushBlob(subject.reference, new TextEncoder().encode('{}'), { signal: AbortSignal.timeout(30_000) });
      const manifest = encode({
        schemaVersion: 2, mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(new TextEncoder().encode('{}')), size: 2 },
        layers: Array.from({ length: 11 }, () => layer),
      });
      const tag = toAttachmentTag(subject.descriptor.digest, 'sig');
      assert.match(tag, /^sha256-[0-9a-f]{64}\.sig$/);
      await client.pushManifest(subject.reference, manifest, { signal: AbortSignal.timeout(30_000), mediaType: OCI_MANIFEST, reference: tag });
      const fetched = await fetchTagAttachment(subject, 'sig', contextFor(client));
      assert.equal(fetched?.layers.length, 11);
      const refused = await rejectionOf(fetchTagAttachment(subject, 'sig', contextFor(client, { signatureLayers: 10 })));
      assert.equal(refused.code, 'TOO_MANY_SIGNATURES');
      assert.match(refused.message, /11 layers, more than the limit of 10/);
    } finally {
      await client.close();
    }
  });

  it('refuses a signature blob larger than the limit before downloading it, and checks embedded data', async () => {
    const reg = await registry({ kind: 'distribution' });
    const client = clientFor(reg);
    try {
      const subject = await subjectIn(reg, 'verify/attachments', 'blob');
      const layer = await pushBlob(client, subject, new Uint8Array(2048));
      assert.equal((await fetchSignatureBlob(subject.reference, layer, contextFor(client))).length, 2048);
      const refused = await rejectionOf(fetchSignatureBlob(subject.reference, layer, contextFor(client, { signatureBytes: 1024 })));
      assert.equal(refused.code, 'SIGNATURE_TOO_LARGE');
      const embedded = { ...layer, data: Buffer.from(new Uint8Array(2048)).toString('base64') };
      assert.equal((await fetchSignatureBlob(subject.reference, embedded, contextFor(client))).length, 2048);
      const lying = { ...layer, data: Buffer.from(new Uint8Array(2048).fill(1)).toString('base64') };
      assert.equal((await rejectionOf(fetchSignatureBlob(subject.reference, lying, contextFor(client)))).code, 'PAYLOAD_INVALID');
    } finally {
      await client.close();
    }
  });

  for (const kind of ['distribution', 'olareg'] as const) {
    it(`lists referrers of the accepted type that name the subject (${kind})`, async () => {
      const reg = await registry({ kind });
      const client = clientFor(reg);
      try {
        const subject = await subjectIn(reg, 'verify/referrers', `listed-${kind}`);
        const other = await subjectIn(reg, 'verify/referrers', `other-${kind}`);
        const signature = await pushReferrer(client, subject, subject.descriptor.digest, 'signature one');
        await pushReferrer(client, other, other.descriptor.digest, 'signature of another image');
        const found = await listReferrerArtifacts(subject, (type) => type === SIGNATURE_TYPE, contextFor(client));
        assert.deepEqual(found.map((artifact) => artifact.descriptor.digest), [signature.digest]);
        assert.equal(found[0]?.artifactType, SIGNATURE_TYPE);
        assert.deepEqual(await listReferrerArtifacts(subject, (type) => type === 'application/other', contextFor(client)), []);
        await pushReferrer(client, subject, subject.descriptor.digest, 'signature two');
        const refused = await rejectionOf(listReferrerArtifacts(subject, (type) => type === SIGNATURE_TYPE, contextFor(client, { signatures: 1 })));
        assert.equal(refused.code, 'TOO_MANY_SIGNATURES');
      } finally {
        await client.close();
      }
    });
  }

  it('ignores a fallback-index entry whose manifest names another subject', async () => {
    const reg = await registry({ kind: 'distribution' });
    const client = clientFor(reg);
    try {
      const subject = await subjectIn(reg, 'verify/referrers', 'planted');
      const other = await subjectIn(reg, 'verify/referrers', 'planted-other');
      const foreign = await pushReferrer(client, other, other.descriptor.digest, 'foreign signature');
      // Anyone with push access can write the fallback tag: list the foreign signature under our subject.
      const index = encode({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ ...foreign, artifactType: SIGNATURE_TYPE }] });
      await client.pushManifest(subject.reference, index, {
        signal: AbortSignal.timeout(30_000), mediaType: OCI_INDEX, reference: toReferrersTag(subject.descriptor.digest),
      });
      assert.deepEqual(await listReferrerArtifacts(subject, (type) => type === SIGNATURE_TYPE, contextFor(client)), []);
    } finally {
      await client.close();
    }
  });
});
