// The CRD and src/api/ must refuse the same objects with the same words:
// the patterns, messages, limits, enums and defaults of the YAML are checked
// against the constants the parser uses.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  DEFAULT_LAYER_OPERATION, DEFAULT_PROVIDER, DEFAULT_TIMEOUT, DEFAULT_VERIFICATION_PROVIDER, GROUP, KIND, LAYER_OPERATIONS, LIST_KIND,
  OCI_PROVIDERS, PLURAL, SHORT_NAME, SINGULAR, SPEC_LIMITS, VERIFICATION_PROVIDERS, VERSION,
} from '../../../src/api/index.ts';
import {
  OCI_URL_HOST_PATTERN, OCI_URL_PATTERN, OCI_URL_REPOSITORY_PATTERN, OCI_URL_TAG_PATTERN, OCI_URL_USERINFO_PATTERN,
} from '../../../src/api/oci-url.ts';
import {
  DIGEST_PATTERN, INTERVAL_PATTERN, MEDIA_TYPE_PATTERN, MESSAGES, NAME_PATTERN, PREDICATE_TYPE_PATTERN, TAG_PATTERN, TIMEOUT_PATTERN,
} from '../../../src/api/spec-rules.ts';

const CRD_PATH = join(import.meta.dirname, '..', '..', '..', 'config', 'crd', 'source.k8sstormcenter.io_ocirepositories.yaml');
const text = readFileSync(CRD_PATH, 'utf8');

interface Schema {
  description?: string;
  type?: string;
  default?: unknown;
  enum?: unknown[];
  maxLength?: number;
  maxItems?: number;
  properties?: Record<string, Schema>;
  items?: Schema;
}

const crd = parse(text) as {
  spec: {
    group: string;
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames: string[] };
    versions: { name: string; subresources: unknown; schema: { openAPIV3Schema: Schema } }[];
  };
};
const version = crd.spec.versions[0];
const root = version?.schema.openAPIV3Schema;

function at(path: string): Schema {
  let node: Schema | undefined = root;
  for (const part of path.split('.')) {
    node = part === '[]' ? node?.items : node?.properties?.[part];
  }
  assert.ok(node !== undefined, `no schema at ${path}`);
  return node;
}

describe('api: CRD schema agrees with src/api', () => {
  it('names, version and status subresource', () => {
    assert.equal(crd.spec.group, GROUP);
    assert.deepEqual(crd.spec.names, {
      kind: KIND, listKind: LIST_KIND, plural: PLURAL, singular: SINGULAR, shortNames: [SHORT_NAME], categories: ['all', 'bob', 'bob-sources'],
    });
    assert.equal(crd.spec.versions.length, 1);
    assert.ok(version);
    assert.equal(version.name, VERSION);
    assert.deepEqual(version.subresources, { status: {} });
  });

  it('defaults and enums', () => {
    assert.equal(at('spec.provider').default, DEFAULT_PROVIDER);
    assert.deepEqual(at('spec.provider').enum, [...OCI_PROVIDERS]);
    assert.equal(at('spec.timeout').default, DEFAULT_TIMEOUT);
    assert.equal(at('spec.layerSelector.operation').default, DEFAULT_LAYER_OPERATION);
    assert.deepEqual(at('spec.layerSelector.operation').enum, [...LAYER_OPERATIONS]);
    assert.equal(at('spec.verify.provider').default, DEFAULT_VERIFICATION_PROVIDER);
    assert.deepEqual(at('spec.verify.provider').enum, [...VERIFICATION_PROVIDERS]);
    assert.deepEqual(at('status').default, { observedGeneration: -1 });
  });

  it('length and item limits', () => {
    assert.equal(at('spec.url').maxLength, SPEC_LIMITS.urlLength);
    for (const ref of ['secretRef', 'certSecretRef', 'proxySecretRef', 'verify.secretRef', 'verify.trustedRootSecretRef']) {
      assert.equal(at(`spec.${ref}.name`).maxLength, SPEC_LIMITS.nameLength, ref);
    }
    assert.equal(at('spec.serviceAccountName').maxLength, SPEC_LIMITS.nameLength);
    assert.equal(at('spec.ref.semver').maxLength, SPEC_LIMITS.semverLength);
    assert.equal(at('spec.ref.semverFilter').maxLength, SPEC_LIMITS.patternLength);
    assert.equal(at('spec.verify.matchOIDCIdentity.[].issuer').maxLength, SPEC_LIMITS.patternLength);
    assert.equal(at('spec.verify.matchOIDCIdentity.[].subject').maxLength, SPEC_LIMITS.patternLength);
    assert.equal(at('spec.verify.matchOIDCIdentity').maxItems, SPEC_LIMITS.identities);
    assert.equal(at('spec.verify.attestations').maxItems, SPEC_LIMITS.attestations);
    assert.equal(at('spec.verify.attestations.[].predicateType').maxLength, SPEC_LIMITS.predicateTypeLength);
    assert.equal(at('spec.layerSelector.mediaType').maxLength, SPEC_LIMITS.mediaTypeLength);
  });

  const patterns = {
    OCI_URL_PATTERN, OCI_URL_USERINFO_PATTERN, OCI_URL_TAG_PATTERN, OCI_URL_REPOSITORY_PATTERN, OCI_URL_HOST_PATTERN,
    INTERVAL_PATTERN, TIMEOUT_PATTERN, NAME_PATTERN, TAG_PATTERN, DIGEST_PATTERN, MEDIA_TYPE_PATTERN, PREDICATE_TYPE_PATTERN,
  };
  for (const [name, pattern] of Object.entries(patterns)) {
    it(`CEL uses ${name} verbatim`, () => {
      assert.ok(text.includes(`r"${pattern}"`), `r"${pattern}" not in the CRD`);
    });
  }

  for (const [name, message] of Object.entries(MESSAGES)) {
    it(`the CRD says the parser's ${name} message`, () => {
      assert.ok(text.includes(message), `${JSON.stringify(message)} not in the CRD`);
    });
  }

  it('every spec and status field has a description (kubectl explain)', () => {
    const missing: string[] = [];
    const walk = (schema: Schema, path: string): void => {
      for (const [name, child] of Object.entries(schema.properties ?? {})) {
        if (child.description === undefined || child.description === '') missing.push(`${path}.${name}`);
        walk(child, `${path}.${name}`);
      }
      if (schema.items !== undefined) walk(schema.items, `${path}[]`);
    };
    walk(at('spec'), 'spec');
    walk(at('status'), 'status');
    assert.deepEqual(missing, []);
  });
});
