/**
 * The registry signature API extension of OpenShift's integrated registry
 * (containers/image docs/signature-protocols.md, docker/docker_client.go and
 * docker_image_dest.go; research/signatures.md §3.4):
 *
 *   GET /v2/                                        → header `X-Registry-Supports-Signatures: 1`
 *   GET /extensions/v2/<repo>/signatures/<digest>   → {"signatures":[{schemaVersion,name,type,content}]}
 *   PUT /extensions/v2/<repo>/signatures/<digest>   ← one signature object, answered 201
 *
 * This file moves bytes and checks JSON shapes only; what the entries mean
 * (schemaVersion 2, type "atomic", base64 content) is verify/'s business.
 */
import { discardBody, readCapped } from './body.ts';
import { pullScopes, pushScopes, type ClientContext, type RepositoryTarget } from './context.ts';
import { isObject } from './descriptor.ts';
import { assertDigest } from './digest.ts';
import { ociError } from './errors.ts';
import { toRegistryEndpoint } from './reference.ts';
import { toResponseError } from './response-error.ts';
import { describeRequest, headerValue } from './transport.ts';

export const SIGNATURE_EXTENSION_HEADER = 'x-registry-supports-signatures';

/**
 * One entry of the extension's signature list as the registry sent it. A
 * field the registry left out or set to null is undefined (Go's
 * json.Unmarshal leaves such fields at their zero value).
 */
export interface ExtensionSignature {
  readonly schemaVersion?: number;
  readonly name?: string;
  readonly type?: string;
  /** Standard base64 of the signature blob, not yet decoded. */
  readonly content?: string;
}

/** A signature to store through the extension. */
export interface ExtensionSignatureUpload {
  /** `<digest>@<32 hex>`: the API expects the client to invent a unique name. */
  readonly name: string;
  readonly content: Uint8Array;
}

function toExtensionUrl(target: RepositoryTarget, digest: string): URL {
  assertDigest(digest, 'signed manifest digest');
  return new URL(`/extensions/v2/${target.repository}/signatures/${digest}`, target.base);
}

/**
 * Whether `registry` announces the extension. containers/image reads the
 * header from its `/v2/` ping, which counts both 200 and 401 as a v2
 * registry; any other answer is an error.
 */
export async function pingSignatureExtension(context: ClientContext, registry: string, signal: AbortSignal): Promise<boolean> {
  const endpoint = toRegistryEndpoint(registry);
  const url = new URL('/v2/', context.http.baseUrl(endpoint));
  const response = await context.http.send({ method: 'GET', registry, endpoint, url, scopes: [], signal });
  if (response.status !== 200 && response.status !== 401) {
    throw await toResponseError(response, describeRequest('GET', url), {
      errorBodyBytes: context.limits.errorBodyBytes, now: context.http.clock.now(),
    });
  }
  const supported = headerValue(response.headers, SIGNATURE_EXTENSION_HEADER)?.trim() === '1';
  await discardBody(response.body, context.limits.errorBodyBytes);
  return supported;
}

function optionalField(entry: Readonly<Record<string, unknown>>, key: string, type: 'string' | 'number', operation: string): unknown {
  const value = entry[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== type || (type === 'number' && !Number.isSafeInteger(value))) {
    throw ociError('RESPONSE_INVALID', `${operation}: signature field ${key} is not ${type === 'number' ? 'an integer' : 'a string'}`);
  }
  return value;
}

/** Parses the list body; a field of the wrong type fails the whole list, as Go's json.Unmarshal does. */
export function toExtensionSignatures(bytes: Uint8Array, operation: string): ExtensionSignature[] {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw ociError('RESPONSE_INVALID', `${operation}: signature list is not JSON`);
  }
  if (!isObject(doc)) throw ociError('RESPONSE_INVALID', `${operation}: signature list is not a JSON object`);
  const list = doc['signatures'] ?? [];
  if (!Array.isArray(list)) throw ociError('RESPONSE_INVALID', `${operation}: signatures is not an array`);
  return list.map((entry: unknown): ExtensionSignature => {
    if (!isObject(entry)) throw ociError('RESPONSE_INVALID', `${operation}: a signature entry is not a JSON object`);
    const schemaVersion = optionalField(entry, 'schemaVersion', 'number', operation) as number | undefined;
    const name = optionalField(entry, 'name', 'string', operation) as string | undefined;
    const type = optionalField(entry, 'type', 'string', operation) as string | undefined;
    const content = optionalField(entry, 'content', 'string', operation) as string | undefined;
    return {
      ...(schemaVersion === undefined ? {} : { schemaVersion }),
      ...(name === undefined ? {} : { name }),
      ...(type === undefined ? {} : { type }),
      ...(content === undefined ? {} : { content }),
    };
  });
}

/** The signature list of `digest`; anything but 200 is an error (a 404 too, as in containers/image). */
export async function listExtensionSignatures(
  context: ClientContext, target: RepositoryTarget, digest: string, signal: AbortSignal, maxBytes: number,
): Promise<ExtensionSignature[]> {
  const url = toExtensionUrl(target, digest);
  const operation = describeRequest('GET', url);
  const response = await context.http.send({
    method: 'GET', registry: target.registry, endpoint: target.endpoint, url, scopes: pullScopes(target), signal,
    headers: { accept: 'application/json' },
  });
  if (response.status !== 200) {
    throw await toResponseError(response, operation, { errorBodyBytes: context.limits.errorBodyBytes, now: context.http.clock.now() });
  }
  const bytes = await readCapped(response.body, maxBytes, () => ociError('RESPONSE_INVALID', `${operation}: signature list larger than ${maxBytes} bytes`));
  context.http.countBytes(response.url, bytes.byteLength);
  return toExtensionSignatures(bytes, operation);
}

/** Stores one signature; the registry must answer 201 Created. */
export async function putExtensionSignature(
  context: ClientContext, target: RepositoryTarget, digest: string, signature: ExtensionSignatureUpload, signal: AbortSignal,
): Promise<void> {
  const url = toExtensionUrl(target, digest);
  const operation = describeRequest('PUT', url);
  // Field order and names as containers/image's extensionSignature struct marshals them.
  const body = new TextEncoder().encode(JSON.stringify({
    schemaVersion: 2,
    name: signature.name,
    type: 'atomic',
    content: Buffer.from(signature.content).toString('base64'),
  }));
  const response = await context.http.send({
    method: 'PUT', registry: target.registry, endpoint: target.endpoint, url, scopes: pushScopes(target), signal,
    headers: { 'content-type': 'application/json' }, body,
  });
  if (response.status !== 201) {
    throw await toResponseError(response, operation, { errorBodyBytes: context.limits.errorBodyBytes, now: context.http.clock.now() });
  }
  await discardBody(response.body, context.limits.errorBodyBytes);
}
