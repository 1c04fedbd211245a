/**
 * notation trust stores as plain data: `ca:<name>`, `signingAuthority:<name>`
 * or `tsa:<name>` → certificate files (PEM with one or more CERTIFICATE
 * blocks, or one DER certificate each). readTrustStoreDirectory reads
 * notation's on-disk layout; loadTrustStore checks what notation-go
 * verifier/truststore checks (research/signatures.md §6.6).
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { configInvalid } from '../errors.ts';
import {
  CertificateError, hasValidSignatureFrom, isIssuedBy, parseCertificate, splitCertificates, type Certificate,
} from './certificate.ts';
import type { TrustStoreType } from './trust-policy.ts';

/** Key: `ca:<name>` | `signingAuthority:<name>` | `tsa:<name>`; value: certificate file contents (PEM or DER). */
export type TrustStore = ReadonlyMap<string, readonly Uint8Array[]>;

/** Trust store certificates, parsed and checked, by store key. */
export type LoadedTrustStore = ReadonlyMap<string, readonly Certificate[]>;

const STORE_TYPES: readonly TrustStoreType[] = ['ca', 'signingAuthority', 'tsa'];
const STORE_KEY = /^(ca|signingAuthority|tsa):[a-zA-Z0-9_.-]+$/;

function isSelfSigned(certificate: Certificate): boolean {
  return Buffer.from(certificate.rawIssuer).equals(Buffer.from(certificate.rawSubject)) && hasValidSignatureFrom(certificate, certificate);
}

/**
 * Parses every store: each certificate must parse; `ca` and
 * `signingAuthority` certificates must be CA certificates or self-signed;
 * `tsa` certificates must be self-signed root CAs; a store without
 * certificates is an error. Throws CONFIG_INVALID naming the store.
 */
export function loadTrustStore(store: TrustStore): LoadedTrustStore {
  const loaded = new Map<string, Certificate[]>();
  for (const [key, files] of store) {
    if (!STORE_KEY.test(key)) throw configInvalid(`trust store ${JSON.stringify(key)}: name must be "<ca|signingAuthority|tsa>:<name>"`);
    const type = key.slice(0, key.indexOf(':'));
    const certificates: Certificate[] = [];
    files.forEach((file, fileIndex) => {
      let ders: Uint8Array[];
      try {
        ders = splitCertificates(file);
      } catch (error) {
        throw configInvalid(`trust store ${JSON.stringify(key)} file ${String(fileIndex)}: ${error instanceof Error ? error.message : String(error)}`);
      }
      for (const der of ders) {
        let certificate: Certificate;
        try {
          certificate = parseCertificate(der);
        } catch (error) {
          if (error instanceof CertificateError) throw configInvalid(`trust store ${JSON.stringify(key)} file ${String(fileIndex)}: ${error.message}`);
          throw error;
        }
        const selfSigned = isSelfSigned(certificate);
        const isCA = certificate.basicConstraints?.isCA === true;
        if (type === 'tsa' && !(selfSigned && isCA && isIssuedBy(certificate, certificate))) {
          throw configInvalid(`trust store ${JSON.stringify(key)}: certificate with subject "${certificate.subject}" is not a self-signed root CA certificate, as a tsa trust store requires`);
        }
        if (type !== 'tsa' && !isCA && !selfSigned) {
          throw configInvalid(`trust store ${JSON.stringify(key)}: certificate with subject "${certificate.subject}" is neither a CA certificate nor self-signed`);
        }
        certificates.push(certificate);
      }
    });
    if (certificates.length === 0) throw configInvalid(`trust store ${JSON.stringify(key)}: no x509 certificates were found`);
    loaded.set(key, certificates);
  }
  return loaded;
}

/**
 * Reads notation's layout `{dir}/x509/{ca|signingAuthority|tsa}/{name}/*`
 * (dir is notation's `truststore` directory). As in notation-go, a named
 * store that is a symlink, or that contains a sub-directory or a symlink,
 * is an error; a missing type directory is just empty.
 */
export async function readTrustStoreDirectory(dir: string): Promise<TrustStore> {
  const store = new Map<string, Uint8Array[]>();
  for (const type of STORE_TYPES) {
    const typeDir = join(dir, 'x509', type);
    let names: string[];
    try {
      names = await readdir(typeDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw configInvalid(`trust store directory ${typeDir} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    for (const name of names.sort()) {
      const storeDir = join(typeDir, name);
      const stat = await lstat(storeDir);
      if (stat.isSymbolicLink()) throw configInvalid(`trust store ${type}:${name} is a symlink, which is not allowed`);
      if (!stat.isDirectory()) continue;
      const files: Uint8Array[] = [];
      for (const entry of (await readdir(storeDir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        if (entry.isSymbolicLink()) throw configInvalid(`trust store ${type}:${name} contains a symlink (${entry.name}), which is not allowed`);
        if (!entry.isFile()) throw configInvalid(`trust store ${type}:${name} contains ${entry.name}, which is not a regular file`);
        files.push(new Uint8Array(await readFile(join(storeDir, entry.name))));
      }
      store.set(`${type}:${name}`, files);
    }
  }
  return store;
}
