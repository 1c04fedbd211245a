/**
 * spec: defaults applied (provider generic, timeout 60s, layer operation
 * extract, verify.provider cosign, insecure/suspend false), every rule of
 * the CRD checked again (a CRD may be older than the controller, or
 * bypassed), plus what only code can judge: the URL grammar, semver ranges,
 * RE2 patterns and duration values. Unknown fields are refused: a field
 * this controller does not know is a field it cannot honour.
 */
import {
  DEFAULT_LAYER_OPERATION, DEFAULT_PROVIDER, DEFAULT_TIMEOUT, DURATION_BOUNDS, LAYER_OPERATIONS, OCI_PROVIDERS, SPEC_LIMITS,
} from './constants.ts';
import { parseOciUrl } from './oci-url.ts';
import { checkName, readDuration, readEnum, readLocalReference, readPattern } from './parse-fields.ts';
import { parseVerification } from './parse-verify.ts';
import { checkKnownKeys, readBoolean, readObject, readString, type JsonObject } from './read-json.ts';
import { toSemverRange } from './semver-range.ts';
import type { FieldErrors } from './spec-error.ts';
import { DIGEST_PATTERN, INTERVAL_PATTERN, MEDIA_TYPE_PATTERN, MESSAGES, TAG_PATTERN, TIMEOUT_PATTERN } from './spec-rules.ts';
import type { LayerSelector, OCIRepositoryRef, OCIRepositorySpec } from './types.ts';

const SPEC_KEYS = [
  'url', 'ref', 'layerSelector', 'provider', 'secretRef', 'serviceAccountName', 'certSecretRef', 'proxySecretRef',
  'insecure', 'interval', 'timeout', 'ignore', 'suspend', 'verify',
];
const DIGEST = new RegExp(DIGEST_PATTERN);
const TAG = new RegExp(TAG_PATTERN);
const MEDIA_TYPE = new RegExp(MEDIA_TYPE_PATTERN);
const INTERVAL_RULE = {
  pattern: new RegExp(INTERVAL_PATTERN), syntax: MESSAGES.interval, bounds: MESSAGES.intervalBounds, ...DURATION_BOUNDS.interval,
};
const TIMEOUT_RULE = {
  pattern: new RegExp(TIMEOUT_PATTERN), syntax: MESSAGES.timeout, bounds: MESSAGES.timeoutBounds, ...DURATION_BOUNDS.timeout,
};

function parseRef(ref: JsonObject, path: string, errors: FieldErrors): OCIRepositoryRef {
  checkKnownKeys(ref, ['digest', 'semver', 'semverFilter', 'tag'], path, errors);
  const result: { -readonly [K in keyof OCIRepositoryRef]: OCIRepositoryRef[K] } = {};
  const digest = readString(ref, 'digest', path, errors);
  if (digest !== undefined) {
    if (DIGEST.test(digest)) result.digest = digest;
    else errors.add(`${path}.digest`, MESSAGES.digest);
  }
  const semver = readString(ref, 'semver', path, errors);
  if (semver !== undefined) {
    const range = semver.length > SPEC_LIMITS.semverLength
      ? { error: `must be at most ${SPEC_LIMITS.semverLength} characters long` }
      : toSemverRange(semver);
    if ('error' in range) errors.add(`${path}.semver`, range.error);
    else {
      result.semver = semver;
      result.semverRange = range.range;
    }
  }
  const filter = readString(ref, 'semverFilter', path, errors);
  if (filter !== undefined) {
    if (semver === undefined) errors.add(`${path}.semverFilter`, MESSAGES.semverFilterNeedsSemver);
    const pattern = readPattern(filter, `${path}.semverFilter`, errors);
    if (pattern !== undefined) result.semverFilter = pattern;
  }
  const tag = readString(ref, 'tag', path, errors);
  if (tag !== undefined) {
    if (TAG.test(tag)) result.tag = tag;
    else errors.add(`${path}.tag`, MESSAGES.tag);
  }
  return result;
}

function parseLayerSelector(selector: JsonObject, path: string, errors: FieldErrors): LayerSelector | undefined {
  checkKnownKeys(selector, ['mediaType', 'operation'], path, errors);
  const mediaType = readString(selector, 'mediaType', path, errors);
  if (mediaType !== undefined && (mediaType.length > SPEC_LIMITS.mediaTypeLength || !MEDIA_TYPE.test(mediaType))) {
    errors.add(`${path}.mediaType`, MESSAGES.mediaType);
  }
  const operation = readEnum(selector, 'operation', path, LAYER_OPERATIONS, DEFAULT_LAYER_OPERATION, errors);
  if (operation === undefined) return undefined;
  return mediaType === undefined ? { operation } : { mediaType, operation };
}

/** Parses `spec` (the object at `path`), recording every bad field in `errors`; undefined when any field is bad. */
export function parseSpec(spec: JsonObject, path: string, errors: FieldErrors): OCIRepositorySpec | undefined {
  const before = errors.list.length;
  checkKnownKeys(spec, SPEC_KEYS, path, errors);

  const url = readString(spec, 'url', path, errors);
  let location: { registry: string; repository: string } | undefined;
  if (url === undefined) {
    if (spec['url'] === undefined || spec['url'] === null) errors.add(`${path}.url`, 'is required');
  } else {
    const parsed = parseOciUrl(url);
    if ('error' in parsed) errors.add(`${path}.url`, parsed.error);
    else location = parsed;
  }

  const refObject = readObject(spec, 'ref', path, errors);
  const ref = refObject === undefined ? undefined : parseRef(refObject, `${path}.ref`, errors);
  const selectorObject = readObject(spec, 'layerSelector', path, errors);
  const layerSelector = selectorObject === undefined ? undefined : parseLayerSelector(selectorObject, `${path}.layerSelector`, errors);
  const provider = readEnum(spec, 'provider', path, OCI_PROVIDERS, DEFAULT_PROVIDER, errors);
  const secretRef = readLocalReference(spec, 'secretRef', path, errors);
  const serviceAccountName = readString(spec, 'serviceAccountName', path, errors);
  if (serviceAccountName !== undefined) checkName(serviceAccountName, `${path}.serviceAccountName`, errors);
  const certSecretRef = readLocalReference(spec, 'certSecretRef', path, errors);
  const proxySecretRef = readLocalReference(spec, 'proxySecretRef', path, errors);
  const insecure = readBoolean(spec, 'insecure', path, errors) ?? false;
  const suspend = readBoolean(spec, 'suspend', path, errors) ?? false;
  const ignore = readString(spec, 'ignore', path, errors);

  const intervalText = readString(spec, 'interval', path, errors);
  if (intervalText === undefined && (spec['interval'] === undefined || spec['interval'] === null)) {
    errors.add(`${path}.interval`, 'is required');
  }
  const interval = intervalText === undefined ? undefined : readDuration(intervalText, `${path}.interval`, INTERVAL_RULE, errors);
  const timeoutText = readString(spec, 'timeout', path, errors) ?? DEFAULT_TIMEOUT;
  const timeout = readDuration(timeoutText, `${path}.timeout`, TIMEOUT_RULE, errors);

  const verifyObject = readObject(spec, 'verify', path, errors);
  const verify = verifyObject === undefined ? undefined : parseVerification(verifyObject, `${path}.verify`, errors);

  if (errors.list.length !== before || url === undefined || location === undefined || provider === undefined
    || interval === undefined || timeout === undefined) {
    return undefined;
  }
  return {
    url,
    registry: location.registry,
    repository: location.repository,
    ...(ref === undefined ? {} : { ref }),
    ...(layerSelector === undefined ? {} : { layerSelector }),
    provider,
    ...(secretRef === undefined ? {} : { secretRef }),
    ...(serviceAccountName === undefined ? {} : { serviceAccountName }),
    ...(certSecretRef === undefined ? {} : { certSecretRef }),
    ...(proxySecretRef === undefined ? {} : { proxySecretRef }),
    insecure,
    interval,
    timeout,
    ...(ignore === undefined ? {} : { ignore }),
    suspend,
    ...(verify === undefined ? {} : { verify }),
  };
}
