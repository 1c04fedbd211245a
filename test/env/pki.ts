// Test-time certificates, made with openssl: one CA per environment, server
// certificates for 127.0.0.1/localhost, and self-signed signing certificates.
// Nothing here is committed or reused across runs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './run.ts';
import { toolPath } from './tools.ts';

export interface CertificateFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export interface CertificateAuthority extends CertificateFiles {
  readonly dir: string;
  issueServerCertificate(name: string): Promise<CertificateFiles>;
}

async function openssl(args: readonly string[]): Promise<void> {
  await run(toolPath('openssl'), args);
}

export async function createCertificateAuthority(dir: string): Promise<CertificateAuthority> {
  const certFile = join(dir, 'ca.crt');
  const keyFile = join(dir, 'ca.key');
  await openssl([
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=bob test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  let serial = 1;
  return {
    dir,
    certFile,
    keyFile,
    async issueServerCertificate(name: string): Promise<CertificateFiles> {
      const base = join(dir, name);
      const extFile = `${base}.ext`;
      writeFileSync(extFile, [
        'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
        'basicConstraints=CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth,clientAuth',
        '',
      ].join('\n'));
      await openssl([
        'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${name}`,
      ]);
      await openssl([
        'x509', '-req', '-in', `${base}.csr`, '-CA', certFile, '-CAkey', keyFile, '-set_serial', String(++serial),
        '-days', '2', '-extfile', extFile, '-out', `${base}.crt`,
      ]);
      return { certFile: `${base}.crt`, keyFile: `${base}.key` };
    },
  };
}

/** A self-signed RSA certificate for signing tokens (no extended key usage). */
export async function createSigningCertificate(dir: string, name: string): Promise<CertificateFiles> {
  const base = join(dir, name);
  await openssl([
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.crt`,
    '-days', '2', '-subj', `/CN=${name}`,
  ]);
  return { certFile: `${base}.crt`, keyFile: `${base}.key` };
}
