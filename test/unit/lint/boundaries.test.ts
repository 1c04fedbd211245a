// The module arrows of docs/architecture.md are enforced by lint: these
// samples must pass or fail exactly as the arrows say.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
// @ts-expect-error -- eslint.config.js is plain JavaScript without types.
import { BOUNDARY_CONFIGS } from '../../../eslint.config.js';

const root = join(import.meta.dirname, '..', '..', '..');

async function violations(filePath: string, source: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } },
      ...(BOUNDARY_CONFIGS as Linter.Config[]),
    ],
  });
  const [result] = await eslint.lintText(source, { filePath: join(root, filePath) });
  return (result?.messages ?? []).map((m) => m.message);
}

const CASES: { file: string; source: string; allowed: boolean }[] = [
  { file: 'src/oci/client.ts', source: "import { BobError } from '../shared/index.ts';", allowed: true },
  { file: 'src/oci/client.ts', source: "import { x } from '../shared/errors.ts';", allowed: false },
  { file: 'src/oci/client.ts', source: "import { x } from '../kube/index.ts';", allowed: false },
  { file: 'src/oci/auth/token.ts', source: "import { x } from '../../verify/index.ts';", allowed: false },
  { file: 'src/oci/client.ts', source: "import { request } from 'undici';", allowed: true },
  { file: 'src/verify/cosign.ts', source: "import { request } from 'undici';", allowed: false },
  { file: 'src/verify/cosign.ts', source: "import { x } from '../oci/index.ts';", allowed: true },
  { file: 'src/archive/extract.ts', source: "import { x } from '../oci/index.ts';", allowed: false },
  { file: 'src/storage/store.ts', source: "import { x } from '../archive/index.ts';", allowed: true },
  { file: 'src/kube/client.ts', source: "import { KubeConfig } from '@kubernetes/client-node';", allowed: true },
  { file: 'src/controller/reconcile.ts', source: "import { KubeConfig } from '@kubernetes/client-node';", allowed: false },
  { file: 'src/runtime/queue.ts', source: "import { x } from '../oci/index.ts';", allowed: false },
  { file: 'src/cli/push.ts', source: "import { x } from '../controller/index.ts';", allowed: false },
  { file: 'src/cli/push.ts', source: "import { x } from '../archive/index.ts';", allowed: true },
  { file: 'src/cli/push.ts', source: "import pack from 'tar-stream';", allowed: false },
  { file: 'src/controller/reconcile.ts', source: "import { x } from '../runtime/index.ts';", allowed: true },
  { file: 'src/operator.ts', source: "import { x } from './controller/index.ts';", allowed: true },
  { file: 'src/operator.ts', source: "import { x } from './controller/reconciler.ts';", allowed: false },
];

describe('lint: module boundaries', () => {
  for (const { file, source, allowed } of CASES) {
    it(`${allowed ? 'allows' : 'refuses'} in ${file}: ${source}`, async () => {
      const messages = await violations(file, source);
      if (allowed) assert.deepEqual(messages, []);
      else assert.ok(messages.some((m) => /ARCHITECTURE|index\.ts|lives in/.test(m)), messages.join('\n') || 'no violation reported');
    });
  }
});
