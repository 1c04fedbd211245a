// A real control plane, envtest-style: etcd and kube-apiserver built from
// their pinned Go modules, on 127.0.0.1 with free ports, RBAC on, service
// account tokens signed by a key made here, and a kubeconfig that both the
// tests and kubectl use.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { probe } from './http-probe.ts';
import type { CertificateAuthority } from './pki.ts';
import { freePort } from './ports.ts';
import { startProcess, type ManagedProcess } from './processes.ts';
import { toolPath } from './tools.ts';

export interface KubeCluster {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  readonly kubeconfig: string;
  readonly caFile: string;
  /** A bearer token in system:masters; tests act as cluster admin with it. */
  readonly adminToken: string;
  stop(): Promise<void>;
}

async function startEtcd(dir: string): Promise<{ process: ManagedProcess; url: string }> {
  const clientPort = await freePort();
  const peerPort = await freePort();
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const process = await startProcess({
    name: 'etcd',
    command: toolPath('etcd'),
    args: [
      '--name=bob-test', `--data-dir=${join(dir, 'etcd-data')}`,
      `--listen-client-urls=${url}`, `--advertise-client-urls=${url}`,
      `--listen-peer-urls=${peer}`, `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=bob-test=${peer}`,
      // A test cluster lives for minutes: durability buys nothing, speed does.
      '--unsafe-no-fsync', '--log-level=warn',
    ],
    logFile: join(dir, 'etcd.log'),
    ready: async () => (await probe(`${url}/health`)).body.includes('"health":"true"'),
  });
  return { process, url };
}

export async function startKube(dir: string, ca: CertificateAuthority): Promise<KubeCluster> {
  mkdirSync(dir, { recursive: true });
  const etcd = await startEtcd(dir);
  try {
    const serving = await ca.issueServerCertificate('kube-apiserver');
    const serviceAccount = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const saKey = join(dir, 'sa.key');
    const saPub = join(dir, 'sa.pub');
    writeFileSync(saKey, serviceAccount.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(saPub, serviceAccount.publicKey.export({ type: 'spki', format: 'pem' }));
    const adminToken = randomBytes(24).toString('hex');
    const tokenFile = join(dir, 'tokens.csv');
    writeFileSync(tokenFile, `${adminToken},bob-admin,bob-admin-uid,"system:masters"\n`, { mode: 0o600 });
    const port = await freePort();
    const server = `https://127.0.0.1:${port}`;
    const caPem = readFileSync(ca.certFile);
    const apiserver = await startProcess({
      name: 'kube-apiserver',
      command: toolPath('kube-apiserver'),
      args: [
        `--etcd-servers=${etcd.url}`,
        `--secure-port=${port}`, '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1',
        `--tls-cert-file=${serving.certFile}`, `--tls-private-key-file=${serving.keyFile}`,
        `--client-ca-file=${ca.certFile}`,
        `--token-auth-file=${tokenFile}`,
        '--authorization-mode=RBAC',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${saPub}`, `--service-account-signing-key-file=${saKey}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        // No controller-manager runs, so nothing would mint the tokens this
        // admission plugin waits for; TokenRequest still issues SA tokens.
        '--disable-admission-plugins=ServiceAccount',
        '--allow-privileged=true',
        `--cert-dir=${join(dir, 'certs')}`,
        '--v=0',
      ],
      logFile: join(dir, 'kube-apiserver.log'),
      timeoutMs: 120_000,
      ready: async () => {
        const res = await probe(`${server}/readyz`, { ca: caPem, headers: { authorization: `Bearer ${adminToken}` } });
        return res.status === 200;
      },
    });
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: bob-test',
      '  cluster:',
      `    server: ${server}`,
      `    certificate-authority: ${ca.certFile}`,
      'users:',
      '- name: bob-admin',
      '  user:',
      `    token: ${adminToken}`,
      'contexts:',
      '- name: bob-test',
      '  context:',
      '    cluster: bob-test',
      '    user: bob-admin',
      '    namespace: default',
      'current-context: bob-test',
      '',
    ].join('\n'), { mode: 0o600 });
    return {
      server,
      kubeconfig,
      caFile: ca.certFile,
      adminToken,
      async stop() {
        await apiserver.stop();
        await etcd.process.stop();
      },
    };
  } catch (error) {
    await etcd.process.stop();
    throw error;
  }
}
