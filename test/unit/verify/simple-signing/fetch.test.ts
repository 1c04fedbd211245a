// Finding simple-signing signatures: the registry signature extension
// (against an in-process fake: no real registry here implements it),
// http(s) lookaside (a fake server: 404 ends the list, other statuses fail,
// redirects followed, bodies capped) and file:// lookaside, written by bob.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RegistryClient } from '../../../../src/oci/index.ts';
import { isBobError } from '../../../../src/shared/index.ts';
import { DEFAULT_VERIFY_LIMITS, type VerificationContext, type VerificationSubject } from '../../../../src/verify/index.ts';
import { isRejectionError } from '../../../../src/verify/errors.ts';
import {
  fetchSignatureBlobs, fetchSimpleSignatures, putExtensionSignature, writeLookasideSignature,
} from '../../../../src/verify/simple-signing/index.ts';
import { scratchDir } from '../../../env/environment.ts';
import { signal, startFakeServer, testClient, type FakeServer } from '../../oci/fake-server.ts';

const HEX = '5e'.repeat(32);
const DIGEST = `sha256:${HEX}`;
const GPG_BLOB = Buffer.from([0xa3, 0x01, 0x01, 0x02, 0x03]);
const EXTENSION_PATH = `/extensions/v2/ns/app/signatures/${DIGEST}`;

function subjectOn(host: string): VerificationSubject {
  return { reference: { registry: host, repository: 'ns/app', tag: 'v1' }, descriptor: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: DIGEST, size: 1 } };
}

function contextFor(client: RegistryClient, warnings: string[] = []): VerificationContext {
  return { client, signal: signal(), now: () => new Date(), limits: DEFAULT_VERIFY_LIMITS, warn: (message) => warnings.push(message) };
}

async function rejectionOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isRejectionError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new assert.AssertionError({ message: 'expected a RejectionError' });
}

describe('verify: simple signing signature fetching', () => {
  let server: FakeServer;
  let client: RegistryClient;

  beforeEach(async () => {
    server = await startFakeServer();
    client = testClient();
  });

  afterEach(async () => {
    await client.close();
    await server.close();
  });

  /** A registry without the extension whose /sigs/… paths come from `files`. */
  function serveLookaside(files: Record<string, { status?: number; body?: Buffer | string; headers?: Record<string, string> }>): void {
    server.handler = (request, res) => {
      if (request.url === '/v2/') return void res.writeHead(200).end('{}');
      const file = files[request.url];
      if (file === undefined) return void res.writeHead(404).end();
      res.writeHead(file.status ?? 200, file.headers ?? {}).end(file.body ?? '');
    };
  }

  describe('registry signature extension', () => {
    function serveExtension(list: unknown, status = 200): void {
      server.handler = (request, res) => {
        if (request.url === '/v2/') return void res.writeHead(200, { 'X-Registry-Supports-Signatures': '1' }).end('{}');
        if (request.url === EXTENSION_PATH) return void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(list));
        res.writeHead(404).end();
      };
    }

    it('is used instead of lookaside when announced, keeping only schemaVersion 2 "atomic" entries', async () => {
      const other = Buffer.from([0x90, 9]);
      serveExtension({ signatures: [
        { schemaVersion: 2, name: `${DIGEST}@${'1'.repeat(32)}`, type: 'atomic', content: GPG_BLOB.toString('base64') },
        { schemaVersion: 1, name: 'old', type: 'atomic', content: other.toString('base64') },
        { schemaVersion: 2, name: 'other type', type: 'sigstore', content: other.toString('base64') },
        { schemaVersion: 2, type: 'atomic', content: other.toString('base64'), extra: true },
      ] });
      const subject = subjectOn(server.host);
      const found = await fetchSimpleSignatures(subject, { lookaside: `${server.url}/sigs` }, contextFor(client));
      assert.deepEqual(found.map((entry) => [...entry.blob]), [[...GPG_BLOB], [...other]]);
      assert.equal(found[0]?.source, `${server.host}/ns/app signature extension: ${DIGEST}@${'1'.repeat(32)}`);
      assert.equal(found[1]?.source, `${server.host}/ns/app signature extension: entry 4`);
      assert.equal(server.requests.some((request) => request.url.startsWith('/sigs')), false);
      // The capability is asked once per registry.
      await fetchSimpleSignatures(subject, {}, contextFor(client));
      assert.equal(server.requests.filter((request) => request.url === '/v2/').length, 1);
    });

    it('an empty or missing list is no signatures', async () => {
      serveExtension({});
      assert.deepEqual(await fetchSimpleSignatures(subjectOn(server.host), {}, contextFor(client)), []);
    });

    it('one entry with invalid base64 fails the list (Go decodes every []byte)', async () => {
      serveExtension({ signatures: [
        { schemaVersion: 2, type: 'atomic', content: GPG_BLOB.toString('base64') },
        { schemaVersion: 1, type: 'other', content: 'not base64!' },
      ] });
      const result = await rejectionOf(fetchSimpleSignatures(subjectOn(server.host), {}, contextFor(client)));
      assert.equal(result.code, 'SIGNATURE_INVALID');
      assert.match(result.message, /entry 2 has invalid base64 content/);
    });

    it('a field of the wrong type, or a non-200 answer, is an error', async () => {
      serveExtension({ signatures: [{ schemaVersion: '2', type: 'atomic', content: '' }] });
      await assert.rejects(fetchSimpleSignatures(subjectOn(server.host), {}, contextFor(client)), (error: unknown) => isBobError(error, 'RESPONSE_INVALID'));
      serveExtension({ errors: [] }, 404);
      await assert.rejects(fetchSimpleSignatures(subjectOn(server.host), {}, contextFor(client)),
        (error: unknown) => isBobError(error) && error.details['status'] === 404);
    });

    it('more than 128 atomic entries is TOO_MANY_SIGNATURES', async () => {
      const entry = { schemaVersion: 2, type: 'atomic', content: GPG_BLOB.toString('base64') };
      serveExtension({ signatures: Array.from({ length: 129 }, () => entry) });
      const result = await rejectionOf(fetchSimpleSignatures(subjectOn(server.host), {}, contextFor(client)));
      assert.equal(result.code, 'TOO_MANY_SIGNATURES');
    });

    it('putExtensionSignature PUTs one schemaVersion 2 "atomic" object under a fresh name', async () => {
      server.handler = (_request, res) => { res.writeHead(201).end(); };
      const name = await putExtensionSignature(client, subjectOn(server.host), GPG_BLOB, signal());
      assert.match(name, new RegExp(`^${DIGEST}@[0-9a-f]{32}$`));
      const [request] = server.requests;
      assert.equal(request?.method, 'PUT');
      assert.equal(request.url, EXTENSION_PATH);
      assert.equal(request.body.toString(), JSON.stringify({ schemaVersion: 2, name, type: 'atomic', content: GPG_BLOB.toString('base64') }));
      server.handler = (_request, res) => { res.writeHead(400).end(); };
      await assert.rejects(putExtensionSignature(client, subjectOn(server.host), GPG_BLOB, signal()), (error: unknown) => isBobError(error));
    });
  });

  describe('http lookaside', () => {
    const path = (index: number): string => `/sigs/ns/app@sha256=${HEX}/signature-${String(index)}`;

    it('reads signature-1, -2, … until the first 404, telling formats apart', async () => {
      serveLookaside({
        [path(1)]: { body: GPG_BLOB },
        [path(2)]: { body: '\0sigstore-json\n{"payload":""}' },
        [path(3)]: { body: Buffer.concat([Buffer.from('\0simple-signing\n'), GPG_BLOB]) },
        [path(5)]: { body: GPG_BLOB },
      });
      const subject = subjectOn(server.host);
      const all = await fetchSignatureBlobs(subject, { lookaside: `${server.url}/sigs` }, contextFor(client));
      assert.deepEqual(all.map((entry) => [entry.format, entry.source]), [
        ['simple-signing', `${server.url}${path(1)}`], ['sigstore-json', `${server.url}${path(2)}`], ['simple-signing', `${server.url}${path(3)}`],
      ]);
      assert.deepEqual([...(all[2]?.blob ?? [])], [...GPG_BLOB]);
      const simple = await fetchSimpleSignatures(subject, { lookaside: `${server.url}/sigs` }, contextFor(client));
      assert.equal(simple.length, 2);
      assert.equal(server.requests.some((request) => request.url === path(5)), false);
    });

    it('follows redirects and sends no registry credentials', async () => {
      serveLookaside({ [path(1)]: { status: 302, headers: { location: '/moved/signature' } }, '/moved/signature': { body: GPG_BLOB } });
      const found = await fetchSimpleSignatures(subjectOn(server.host), { lookaside: `${server.url}/sigs` }, contextFor(client));
      assert.equal(found.length, 1);
      assert.equal(server.requests.every((request) => request.headers.authorization === undefined), true);
    });

    it('any status other than 200 and 404 is an error', async () => {
      serveLookaside({ [path(1)]: { status: 403 } });
      await assert.rejects(fetchSimpleSignatures(subjectOn(server.host), { lookaside: `${server.url}/sigs` }, contextFor(client)),
        (error: unknown) => isBobError(error, 'DENIED'));
    });

    it('a signature over 4 MiB is SIGNATURE_TOO_LARGE', async () => {
      serveLookaside({ [path(1)]: { body: Buffer.concat([GPG_BLOB, Buffer.alloc(4 * 1024 * 1024)]) } });
      const result = await rejectionOf(fetchSimpleSignatures(subjectOn(server.host), { lookaside: `${server.url}/sigs` }, contextFor(client)));
      assert.equal(result.code, 'SIGNATURE_TOO_LARGE');
    });

    it('an armored or HTML blob fails the fetch (format detection), an HTML content type is only a warning', async () => {
      serveLookaside({ [path(1)]: { body: '-----BEGIN PGP MESSAGE-----' } });
      const armored = await rejectionOf(fetchSimpleSignatures(subjectOn(server.host), { lookaside: `${server.url}/sigs` }, contextFor(client)));
      assert.equal(armored.code, 'SIGNATURE_INVALID');
      assert.match(armored.message, /signature-1: unrecognized signature format, starting with byte 0x2d/);
      serveLookaside({ [path(1)]: { body: GPG_BLOB, headers: { 'content-type': 'text/html; charset=utf-8' } } });
      const warnings: string[] = [];
      assert.equal((await fetchSimpleSignatures(subjectOn(server.host), { lookaside: `${server.url}/sigs` }, contextFor(client, warnings))).length, 1);
      assert.match(warnings[0] ?? '', /Content-Type text\/html/);
    });

    it('without extension and without lookaside there are no signatures', async () => {
      serveLookaside({});
      assert.deepEqual(await fetchSimpleSignatures(subjectOn(server.host), {}, contextFor(client)), []);
    });
  });

  describe('file lookaside', () => {
    it('writeLookasideSignature takes the next free signature-N; fetching reads them back in order', async () => {
      serveLookaside({});
      const base = pathToFileURL(scratchDir('lookaside')).href;
      const subject = subjectOn(server.host);
      const first = await writeLookasideSignature(base, subject, GPG_BLOB);
      const second = await writeLookasideSignature(base, subject, Buffer.from([0xa3, 0x01, 0xff]));
      assert.deepEqual([first.index, second.index], [1, 2]);
      assert.match(first.url, new RegExp(`/ns/app@sha256=${HEX}/signature-1$`));
      assert.deepEqual([...readFileSync(new URL(second.url))], [0xa3, 0x01, 0xff]);
      const found = await fetchSimpleSignatures(subject, { lookaside: base }, contextFor(client));
      assert.deepEqual(found.map((entry) => entry.source), [first.url, second.url]);
    });

    it('127 signatures are read; signature-128 existing is TOO_MANY_SIGNATURES, as in containers/image', async () => {
      serveLookaside({});
      const root = scratchDir('lookaside-many');
      const directory = join(root, 'ns', `app@sha256=${HEX}`);
      mkdirSync(directory, { recursive: true });
      for (let index = 1; index <= 127; index++) writeFileSync(join(directory, `signature-${String(index)}`), GPG_BLOB);
      const base = pathToFileURL(root).href;
      assert.equal((await fetchSimpleSignatures(subjectOn(server.host), { lookaside: base }, contextFor(client))).length, 127);
      writeFileSync(join(directory, 'signature-128'), GPG_BLOB);
      const result = await rejectionOf(fetchSimpleSignatures(subjectOn(server.host), { lookaside: base }, contextFor(client)));
      assert.equal(result.code, 'TOO_MANY_SIGNATURES');
    });

    it('a file over 4 MiB is SIGNATURE_TOO_LARGE; an unreadable one is CONFIG_INVALID', async () => {
      serveLookaside({});
      const root = scratchDir('lookaside-large');
      const directory = join(root, 'ns', `app@sha256=${HEX}`);
      mkdirSync(directory, { recursive: true });
      writeFileSync(join(directory, 'signature-1'), Buffer.alloc(4 * 1024 * 1024 + 1, 0xa3));
      const result = await rejectionOf(fetchSimpleSignatures(subjectOn(server.host), { lookaside: pathToFileURL(root).href }, contextFor(client)));
      assert.equal(result.code, 'SIGNATURE_TOO_LARGE');
      const unreadable = scratchDir('lookaside-dir');
      mkdirSync(join(unreadable, 'ns', `app@sha256=${HEX}`, 'signature-1'), { recursive: true });
      await assert.rejects(fetchSimpleSignatures(subjectOn(server.host), { lookaside: pathToFileURL(unreadable).href }, contextFor(client)),
        (error: unknown) => isBobError(error, 'CONFIG_INVALID'));
    });

    it('only file:// lookaside can be written', async () => {
      await assert.rejects(writeLookasideSignature('https://example.test/sigs', subjectOn('example.test'), GPG_BLOB),
        (error: unknown) => isBobError(error, 'SIGNING_FAILED'));
    });
  });
});
