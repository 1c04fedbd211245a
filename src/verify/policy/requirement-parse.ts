/**
 * Policy requirements, as paranoid as containers/image
 * (signature/policy_config.go, policy_config_sigstore.go;
 * research/signatures.md §1.2, §1.3). Presence rules follow upstream
 * exactly: a key that is present but holds Go's zero value (`""`, `null`)
 * does not count as a source, except where upstream checks presence
 * (signedBy's "exactly one of keyPath, keyPaths and keyData").
 */
import { parseSignedIdentity } from './identity-parse.ts';
import {
  pathOf, policyError, readBytes, readBytesList, readObject, readString, readStringList, requireKeys,
} from './policy-json.ts';
import type {
  FulcioTrust, KeySource, PkiTrust, PolicyRequirement, SignedByKeyType, SignedIdentity, SigstoreSignedRequirement,
} from './policy-types.ts';
import { isJsonObject, type JsonObject } from '../strict-json.ts';

const SIGNED_BY_KEY_TYPES: readonly SignedByKeyType[] = ['GPGKeys', 'signedByGPGKeys', 'X509Certificates', 'signedByX509CAs'];
const DEFAULT_IDENTITY: SignedIdentity = { type: 'matchRepoDigestOrExact' };

function isKeyType(value: string): value is SignedByKeyType {
  return (SIGNED_BY_KEY_TYPES as readonly string[]).includes(value);
}

/** Omitted ⇒ matchRepoDigestOrExact; an explicit null is an error (upstream test "signedIdentity an explicit nil"). */
function readIdentity(object: JsonObject, at: string): SignedIdentity {
  return Object.hasOwn(object, 'signedIdentity') ? parseSignedIdentity(object['signedIdentity'], pathOf(at, 'signedIdentity')) : DEFAULT_IDENTITY;
}

function pathSource(path: string, at: string): KeySource {
  return { kind: 'path', path, at };
}

function dataSource(data: Uint8Array, at: string): KeySource {
  return { kind: 'data', data, at };
}

function parseSignedBy(object: JsonObject, at: string): PolicyRequirement {
  readObject(object, at, ['type', 'keyType', 'keyPath', 'keyPaths', 'keyData', 'signedIdentity']);
  const rawKeyType = Object.hasOwn(object, 'keyType') ? readString(object['keyType'], pathOf(at, 'keyType')) : '';
  if (Object.hasOwn(object, 'keyType') && !isKeyType(rawKeyType)) {
    throw policyError(pathOf(at, 'keyType'), `Unrecognized keyType value ${JSON.stringify(rawKeyType)}`);
  }
  const signedIdentity = readIdentity(object, at);
  const has = (key: string): boolean => Object.hasOwn(object, key);
  const present = ['keyPath', 'keyPaths', 'keyData'].filter(has);
  if (present.length === 0) throw policyError(at, 'Exactly one of keyPath, keyPaths and keyData must be specified, none of them present');
  if (present.length > 1) throw policyError(at, 'Exactly one of keyPath, keyPaths and keyData must be specified, more than one present');
  const keys: KeySource[] = [];
  let sources = 0;
  if (has('keyPath')) {
    const keyPath = readString(object['keyPath'], pathOf(at, 'keyPath'));
    if (keyPath !== '') {
      sources++;
      keys.push(pathSource(keyPath, pathOf(at, 'keyPath')));
    }
  }
  if (has('keyPaths')) {
    const keyPaths = readStringList(object['keyPaths'], pathOf(at, 'keyPaths'));
    if (keyPaths !== undefined) {
      sources++;
      keyPaths.forEach((path, index) => keys.push(pathSource(path, pathOf(pathOf(at, 'keyPaths'), index))));
    }
  }
  if (has('keyData')) {
    const keyData = readBytes(object['keyData'], pathOf(at, 'keyData'));
    if (keyData !== undefined) {
      sources++;
      keys.push(dataSource(keyData, pathOf(at, 'keyData')));
    }
  }
  // keyType is validated after the key sources upstream (newPRSignedBy): a missing one is "invalid keyType """.
  if (!isKeyType(rawKeyType)) throw policyError(pathOf(at, 'keyType'), `invalid keyType ${JSON.stringify(rawKeyType)}`);
  if (sources !== 1) throw policyError(at, 'exactly one of keyPath, keyPaths and keyData must be specified');
  return { type: 'signedBy', at, keyType: rawKeyType, keys, signedIdentity };
}

/** A `…Path`/`…Paths`/`…Data`/`…Datas` family: the sources it configures, or undefined when none is set. */
function readKeyFamily(
  object: JsonObject, at: string, names: { path: string; paths: string; data: string; datas: string },
): { readonly sources: KeySource[]; readonly count: number } {
  const sources: KeySource[] = [];
  let count = 0;
  if (Object.hasOwn(object, names.path)) {
    const value = readString(object[names.path], pathOf(at, names.path));
    if (value !== '') {
      count++;
      sources.push(pathSource(value, pathOf(at, names.path)));
    }
  }
  if (Object.hasOwn(object, names.paths)) {
    const values = readStringList(object[names.paths], pathOf(at, names.paths));
    if (values === undefined || values.length === 0) throw policyError(pathOf(at, names.paths), `${JSON.stringify(names.paths)} contains no entries`);
    count++;
    values.forEach((value, index) => sources.push(pathSource(value, pathOf(pathOf(at, names.paths), index))));
  }
  if (Object.hasOwn(object, names.data)) {
    const value = readBytes(object[names.data], pathOf(at, names.data));
    if (value !== undefined) {
      count++;
      sources.push(dataSource(value, pathOf(at, names.data)));
    }
  }
  if (Object.hasOwn(object, names.datas)) {
    const values = readBytesList(object[names.datas], pathOf(at, names.datas));
    if (values === undefined || values.length === 0) throw policyError(pathOf(at, names.datas), `${JSON.stringify(names.datas)} contains no entries`);
    count++;
    values.forEach((value, index) => sources.push(dataSource(value, pathOf(pathOf(at, names.datas), index))));
  }
  return { sources, count };
}

/** A `…Path` xor `…Data` pair; undefined when neither is set. */
function readPathOrData(object: JsonObject, at: string, pathKey: string, dataKey: string, bothMessage: string): KeySource | undefined {
  const path = Object.hasOwn(object, pathKey) ? readString(object[pathKey], pathOf(at, pathKey)) : '';
  const data = Object.hasOwn(object, dataKey) ? readBytes(object[dataKey], pathOf(at, dataKey)) : undefined;
  if (path !== '' && data !== undefined) throw policyError(at, bothMessage);
  if (path !== '') return pathSource(path, pathOf(at, pathKey));
  if (data !== undefined) return dataSource(data, pathOf(at, dataKey));
  return undefined;
}

function parseFulcio(value: unknown, at: string): FulcioTrust {
  const object = readObject(value, at, ['caPath', 'caData', 'oidcIssuer', 'subjectEmail']);
  const ca = readPathOrData(object, at, 'caPath', 'caData', 'caPath and caData cannot be used simultaneously');
  if (ca === undefined) throw policyError(at, 'At least one of caPath and caData must be specified');
  const oidcIssuer = Object.hasOwn(object, 'oidcIssuer') ? readString(object['oidcIssuer'], pathOf(at, 'oidcIssuer')) : '';
  if (oidcIssuer === '') throw policyError(at, 'oidcIssuer not specified');
  const subjectEmail = Object.hasOwn(object, 'subjectEmail') ? readString(object['subjectEmail'], pathOf(at, 'subjectEmail')) : '';
  if (subjectEmail === '') throw policyError(at, 'subjectEmail not specified');
  return { at, ca, oidcIssuer, subjectEmail };
}

function parsePki(value: unknown, at: string): PkiTrust {
  const object = readObject(value, at, ['caRootsPath', 'caRootsData', 'caIntermediatesPath', 'caIntermediatesData', 'subjectEmail', 'subjectHostname']);
  const caRoots = readPathOrData(object, at, 'caRootsPath', 'caRootsData', 'caRootsPath and caRootsData cannot be used simultaneously');
  if (caRoots === undefined) throw policyError(at, 'At least one of caRootsPath and caRootsData must be specified');
  const caIntermediates = readPathOrData(
    object, at, 'caIntermediatesPath', 'caIntermediatesData', 'caIntermediatesPath and caIntermediatesData cannot be used simultaneously',
  );
  const subjectEmail = Object.hasOwn(object, 'subjectEmail') ? readString(object['subjectEmail'], pathOf(at, 'subjectEmail')) : '';
  const subjectHostname = Object.hasOwn(object, 'subjectHostname') ? readString(object['subjectHostname'], pathOf(at, 'subjectHostname')) : '';
  if (subjectEmail === '' && subjectHostname === '') throw policyError(at, 'At least one of subjectEmail, subjectHostname must be specified');
  return {
    at, caRoots,
    ...(caIntermediates === undefined ? {} : { caIntermediates }),
    ...(subjectEmail === '' ? {} : { subjectEmail }),
    ...(subjectHostname === '' ? {} : { subjectHostname }),
  };
}

function parseSigstoreSigned(object: JsonObject, at: string): SigstoreSignedRequirement {
  readObject(object, at, [
    'type', 'keyPath', 'keyPaths', 'keyData', 'keyDatas', 'fulcio', 'pki',
    'rekorPublicKeyPath', 'rekorPublicKeyPaths', 'rekorPublicKeyData', 'rekorPublicKeyDatas', 'signedIdentity',
  ]);
  const signedIdentity = readIdentity(object, at);
  const keys = readKeyFamily(object, at, { path: 'keyPath', paths: 'keyPaths', data: 'keyData', datas: 'keyDatas' });
  const fulcio = Object.hasOwn(object, 'fulcio') ? parseFulcio(object['fulcio'], pathOf(at, 'fulcio')) : undefined;
  const pki = Object.hasOwn(object, 'pki') ? parsePki(object['pki'], pathOf(at, 'pki')) : undefined;
  const rekor = readKeyFamily(object, at, {
    path: 'rekorPublicKeyPath', paths: 'rekorPublicKeyPaths', data: 'rekorPublicKeyData', datas: 'rekorPublicKeyDatas',
  });
  if (keys.count + (fulcio === undefined ? 0 : 1) + (pki === undefined ? 0 : 1) !== 1) {
    throw policyError(at, 'exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified');
  }
  if (rekor.count > 1) {
    throw policyError(at, 'at most one of rekorPublicKeyPath, rekorPublicKeyPaths, rekorPublicKeyData and rekorPublicKeyDatas can be used simultaneously');
  }
  if (fulcio !== undefined && rekor.count === 0) {
    throw policyError(at, 'At least one of rekorPublicKeyPath, rekorPublicKeyPaths, rekorPublicKeyData and rekorPublicKeyDatas must be specified if fulcio is used');
  }
  if (pki !== undefined && rekor.count > 0) {
    throw policyError(at, 'rekorPublicKeyPath, rekorPublicKeyPaths, rekorPublicKeyData and rekorPublicKeyDatas cannot be used with pki');
  }
  return {
    type: 'sigstoreSigned', at, signedIdentity,
    ...(keys.count === 1 ? { publicKeys: keys.sources } : {}),
    ...(fulcio === undefined ? {} : { fulcio }),
    ...(pki === undefined ? {} : { pki }),
    ...(rekor.count === 1 ? { rekorPublicKeys: rekor.sources } : {}),
  };
}

/** One element of a requirements list. */
export function parseRequirement(value: unknown, at: string): PolicyRequirement {
  // Upstream reads `type` leniently first (null has type ""), so an unknown type is reported before unknown keys.
  if (value === null) throw policyError(at, 'Unknown policy requirement type ""');
  if (!isJsonObject(value)) throw policyError(at, 'JSON object expected for a policy requirement');
  const type = Object.hasOwn(value, 'type') ? readString(value['type'], pathOf(at, 'type')) : '';
  switch (type) {
    case 'insecureAcceptAnything':
    case 'reject':
      requireKeys(readObject(value, at, ['type']), at, ['type']);
      return { type, at };
    case 'signedBy':
      return parseSignedBy(value, at);
    case 'signedBaseLayer':
      requireKeys(readObject(value, at, ['type', 'baseLayerIdentity']), at, ['type', 'baseLayerIdentity']);
      return { type, at, baseLayerIdentity: parseSignedIdentity(value['baseLayerIdentity'], pathOf(at, 'baseLayerIdentity')) };
    case 'sigstoreSigned':
      return parseSigstoreSigned(value, at);
    default:
      throw policyError(at, `Unknown policy requirement type ${JSON.stringify(type)}`);
  }
}

/** A requirements list: a non-empty JSON array ("List of verification policy requirements must not be empty"). */
export function parseRequirements(value: unknown, at: string): PolicyRequirement[] {
  if (value !== null && !Array.isArray(value)) throw policyError(at, 'JSON array of policy requirements expected');
  if (value === null || value.length === 0) throw policyError(at, 'List of verification policy requirements must not be empty');
  return value.map((item: unknown, index) => parseRequirement(item, pathOf(at, index)));
}
