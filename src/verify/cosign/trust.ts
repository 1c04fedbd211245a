/**
 * The cosign provider's configuration: plain data that maps one to one to
 * `cosign verify` / `bobctl verify` flags, checked once when the verifier is
 * built (broken trust material throws configInvalid naming the field).
 */
import type { TrustMaterial } from '@sigstore/verify';
import { configInvalid } from '../errors.ts';
import { parsePublicKey, type PublicKey } from '../public-key.ts';
import { PREDICATE_TYPE_ALIASES } from './constants.ts';
import { compileIdentities, type CompiledIdentity, type CosignIdentity } from './identity.ts';
import { emptyTrustMaterial, parseTrustedRoot } from './trusted-root.ts';

/** A PEM public key and the name it is reported under (`--key`; a Secret's `*.pub` entry). */
export interface NamedPublicKey {
  readonly name: string;
  readonly pem: string;
}

export interface CosignVerifierOptions {
  /**
   * `--key`: keyed verification; a signature counts when any key verifies
   * it. Every key must parse (a garbage key is a configuration error, as
   * Flux's per-key verifier construction fails); algorithms may be mixed.
   */
  readonly publicKeys?: readonly NamedPublicKey[];
  /** Keyless verification: `--certificate-identity[-regexp]` / `--certificate-oidc-issuer[-regexp]` pairs. */
  readonly keyless?: { readonly identities: readonly CosignIdentity[] };
  /**
   * `--trusted-root`: a parsed trusted_root.json. Required for keyless; for
   * keyed verification required unless `ignoreTlog` (it holds the Rekor keys).
   */
  readonly trustedRoot?: unknown;
  /**
   * `--attestation-type` (repeatable): predicate types (cosign `--type`
   * shorthands like `slsaprovenance` or URIs) that must each be present in
   * a verified attestation, in addition to a verified signature.
   */
  readonly attestations?: readonly string[];
  /**
   * `--insecure-ignore-tlog`: do not require (nor read) transparency-log
   * entries. Default false, as cosign; Flux verifies keyed signatures this
   * way, so a Flux-compatible caller sets it for keys.
   */
  readonly ignoreTlog?: boolean;
  /** `--insecure-ignore-sct`: do not require an embedded SCT in keyless certificates. Default false. */
  readonly ignoreSct?: boolean;
  /**
   * `--allow-certificate-chain`: accept v0.3 bundles whose verification
   * material is a certificate chain (the v0.3 spec allows only a leaf;
   * cosign 3 refuses them by default, and `cosign sign --certificate-chain`
   * writes them). Default false.
   */
  readonly allowCertificateChain?: boolean;
  /** `--use-signed-timestamps`: require an RFC 3161 timestamp from a trusted root TSA. Default false. */
  readonly useSignedTimestamps?: boolean;
}

/** Checked, ready-to-use configuration. */
export interface CosignTrust {
  readonly mode: 'keyed' | 'keyless';
  readonly keys: readonly PublicKey[];
  readonly identities: readonly CompiledIdentity[];
  readonly material: TrustMaterial;
  readonly ignoreTlog: boolean;
  readonly ignoreSct: boolean;
  readonly useSignedTimestamps: boolean;
  readonly allowCertificateChain: boolean;
  /** Predicate type URIs demanded. */
  readonly attestations: readonly string[];
}

/** cosign `--type` value to predicate type URI; anything else must be an absolute URI. */
export function toPredicateType(value: string, field = 'attestations'): string {
  const alias = PREDICATE_TYPE_ALIASES[value];
  if (alias !== undefined) return alias;
  if (!URL.canParse(value) || !/^[a-z][a-z0-9+.-]*:/i.test(value)) {
    throw configInvalid(`${field}: ${JSON.stringify(value)} is neither a known attestation type nor a URI`);
  }
  return value;
}

/** Validates options into a CosignTrust; throws configInvalid naming every bad field it meets first. */
export function toCosignTrust(options: CosignVerifierOptions): CosignTrust {
  const keyed = options.publicKeys !== undefined;
  if (keyed === (options.keyless !== undefined)) throw configInvalid('cosign: configure exactly one of publicKeys and keyless');
  const identities = keyed ? [] : compileIdentities(options.keyless?.identities);
  const ignoreTlog = options.ignoreTlog ?? false;
  const ignoreSct = options.ignoreSct ?? false;
  const useSignedTimestamps = options.useSignedTimestamps ?? false;
  const material = options.trustedRoot === undefined ? emptyTrustMaterial() : parseTrustedRoot(options.trustedRoot);
  const attestations = [...new Set((options.attestations ?? []).map((type, index) => toPredicateType(type, `attestations[${String(index)}]`)))];
  if (!keyed && options.trustedRoot === undefined) throw configInvalid('trustedRoot: required for keyless verification');
  if (!ignoreTlog && material.tlogs.length === 0) {
    throw configInvalid(options.trustedRoot === undefined
      ? 'trustedRoot: required to verify transparency log entries (or set ignoreTlog)'
      : 'trustedRoot: lists no transparency log, so tlog entries cannot be verified (set ignoreTlog to skip them)');
  }
  if (useSignedTimestamps && material.timestampAuthorities.length === 0) {
    throw configInvalid('trustedRoot: lists no timestamp authority, so useSignedTimestamps cannot be satisfied');
  }
  const allowCertificateChain = options.allowCertificateChain ?? false;
  const common = { material, ignoreTlog, ignoreSct, useSignedTimestamps, allowCertificateChain, attestations };
  if (options.publicKeys !== undefined) {
    if (options.publicKeys.length === 0) throw configInvalid('publicKeys: at least one key is required');
    const keys = options.publicKeys.map((key) => parsePublicKey(key.name, key.pem));
    return { mode: 'keyed', keys, identities, ...common };
  }
  if (material.certificateAuthorities.length === 0) throw configInvalid('trustedRoot: lists no certificate authority for keyless verification');
  if (!ignoreSct && material.ctlogs.length === 0) {
    throw configInvalid('trustedRoot: lists no CT log, so certificate SCTs cannot be verified (set ignoreSct to skip them)');
  }
  return { mode: 'keyless', keys: [], identities, ...common };
}
