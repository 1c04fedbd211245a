// The controller image's recipe, checked without a container builder: the
// Dockerfile's structure (two Node 24 stages, production dependencies only,
// numeric non-root user, exec-form entrypoint on dist/operator.js, no
// HEALTHCHECK, nothing written outside /data and /tmp), that the entrypoint
// is what `npm run build` emits for src/operator.ts, that .dockerignore keeps
// build output and secrets out of the context but not what the build copies,
// and that config/manager runs the image the way the image expects.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';

const repoRoot = join(import.meta.dirname, '..', '..', '..');

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

/** Instructions of a Dockerfile: comments dropped, `\` continuations joined (Dockerfile reference, "Format"). */
function toInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    const continued = line.endsWith('\\');
    pending += `${continued ? line.slice(0, -1) : line} `;
    if (continued) continue;
    const match = /^(\S+)\s*(.*)$/s.exec(pending.trim());
    if (match?.[1] !== undefined) instructions.push({ keyword: match[1].toUpperCase(), args: (match[2] ?? '').replace(/\s+/g, ' ').trim() });
    pending = '';
  }
  return instructions;
}

/** The build stages, with `ARG`s declared before the first FROM substituted into FROM lines. */
function toStages(instructions: readonly Instruction[]): Stage[] {
  const globals = new Map<string, string>();
  const stages: { image: string; name: string | undefined; instructions: Instruction[] }[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.replace(/\$\{?(\w+)\}?/g, (_, key: string) => globals.get(key) ?? '').split(' ');
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0) {
      assert.equal(instruction.keyword, 'ARG', 'only ARG may come before the first FROM');
      const [key = '', value = ''] = instruction.args.split('=');
      globals.set(key, value);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** KEY=value pairs of the ENV instructions of a stage. */
function toEnv(stage: Stage): Map<string, string> {
  const env = new Map<string, string>();
  for (const { args } of stage.instructions.filter((i) => i.keyword === 'ENV')) {
    for (const pair of args.split(' ')) {
      const [key = '', value = ''] = pair.split('=');
      env.set(key, value);
    }
  }
  return env;
}

/** Whether `.dockerignore` rules keep `path` out of the build context (last matching rule wins; a matched directory excludes its contents). */
function isIgnored(rules: readonly string[], path: string): boolean {
  const toRegExp = (pattern: string): RegExp => new RegExp(`^${pattern.replace(/^\/+|\/+$/g, '').split('/').map((part) =>
    part === '**' ? '.*' : part.replace(/[.+^$()|[\]{}]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')).join('/').replace(/\.\*\//g, '(?:.*/)?')}$`);
  const prefixes = path.split('/').map((_, index, parts) => parts.slice(0, index + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    const negated = rule.startsWith('!');
    const pattern = toRegExp(negated ? rule.slice(1) : rule);
    if (prefixes.some((prefix) => pattern.test(prefix))) ignored = !negated;
  }
  return ignored;
}

const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const instructions = toInstructions(dockerfile);
const stages = toStages(instructions);
const [build, runtime] = stages;

describe('deploy: Dockerfile', () => {
  it('has a build stage and a runtime stage, both on Node 24 images', () => {
    assert.equal(stages.length, 2);
    assert.ok(build !== undefined && runtime !== undefined);
    assert.equal(build.name, 'build');
    for (const stage of stages) {
      assert.match(stage.image, /^node:24(?:\.\d+){0,2}-[a-z]+(?:-slim)?(?:@sha256:[0-9a-f]{64})?$/, `FROM ${stage.image}`);
    }
    assert.equal(runtime.image, build.image, 'the runtime runs on the Node the code was built with');
  });

  it('installs from the lockfile, builds, and prunes dev dependencies in the build stage', () => {
    const runs = (build?.instructions ?? []).filter((i) => i.keyword === 'RUN').map((i) => i.args).join(' && ');
    const order = ['npm ci', 'npm run build', 'npm prune --omit=dev'].map((step) => runs.indexOf(step));
    assert.ok(order.every((at) => at >= 0), runs);
    assert.deepEqual([...order].sort((a, b) => a - b), order, 'ci, then build, then prune');
    assert.doesNotMatch(runs, /npm install\b/);
  });

  it('copies only the build output, production node_modules, package.json and the CRD into the runtime', () => {
    const copies = (runtime?.instructions ?? []).filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD').map((i) => i.args);
    assert.deepEqual(copies.sort(), [
      '--from=build /src/dist ./dist',
      '--from=build /src/node_modules ./node_modules',
      '--from=build /src/package.json ./package.json',
      'config/crd ./config/crd',
    ]);
    const runs = (runtime?.instructions ?? []).filter((i) => i.keyword === 'RUN').map((i) => i.args);
    assert.ok(runs.every((args) => !/\bnpm\b/.test(args)), `no npm in the runtime stage: ${runs.join('; ')}`);
  });

  it('runs as a numeric non-root user, set last, with exec-form node dist/operator.js and no HEALTHCHECK or CMD', () => {
    const own = runtime?.instructions ?? [];
    const users = own.filter((i) => i.keyword === 'USER');
    assert.equal(users.length, 1);
    assert.equal(users[0]?.args, '65532:65532');
    const afterUser = own.slice(own.findIndex((i) => i.keyword === 'USER') + 1);
    assert.ok(afterUser.every((i) => i.keyword !== 'RUN' && i.keyword !== 'COPY'), 'nothing is written as root after USER');
    assert.deepEqual(own.filter((i) => i.keyword === 'ENTRYPOINT').map((i) => JSON.parse(i.args) as unknown), [['node', 'dist/operator.js']]);
    assert.equal(instructions.filter((i) => i.keyword === 'HEALTHCHECK').length, 0, 'Kubernetes probes, not HEALTHCHECK');
    assert.equal(own.filter((i) => i.keyword === 'CMD').length, 0);
    assert.equal(own.filter((i) => i.keyword === 'WORKDIR').at(-1)?.args, '/app');
  });

  it('writes nothing outside /data and /tmp at run time (HOME, compile cache)', () => {
    assert.ok(runtime !== undefined);
    const env = toEnv(runtime);
    assert.equal(env.get('NODE_ENV'), 'production');
    assert.equal(env.get('HOME'), '/tmp');
    const cache = env.get('NODE_COMPILE_CACHE');
    assert.ok(env.get('NODE_DISABLE_COMPILE_CACHE') === '1' || cache?.startsWith('/tmp/') === true, 'compile cache off or under /tmp');
    assert.ok(runtime.instructions.some((i) => i.keyword === 'RUN' && i.args.includes('mkdir -p /data && chown 65532:65532 /data')));
  });

  it('enters at the file `npm run build` emits for src/operator.ts, which package.json names as bob-controller', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string>; type: string };
    assert.equal(pkg.bin['bob-controller'], 'dist/operator.js');
    assert.equal(pkg.type, 'module', 'dist/*.js are ES modules');
    assert.equal(pkg.scripts['build'], 'tsc -p tsconfig.build.json');
    const config = JSON.parse(readFileSync(join(repoRoot, 'tsconfig.build.json'), 'utf8')) as {
      compilerOptions: { noEmit: boolean; outDir: string; rootDir: string }; include: string[];
    };
    assert.equal(config.compilerOptions.noEmit, false);
    assert.deepEqual(config.include, ['src']);
    const source = join(repoRoot, 'src', 'operator.ts');
    const emitted = join(config.compilerOptions.outDir, relative(resolve(repoRoot, config.compilerOptions.rootDir), source)).replace(/\.ts$/, '.js');
    assert.equal(emitted, 'dist/operator.js');
    assert.ok(existsSync(source), 'src/operator.ts exists');
  });
});

describe('deploy: .dockerignore', () => {
  const rules = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));

  it('keeps build output, installed modules, coverage, VCS data and env files out of the context', () => {
    for (const path of ['node_modules/yaml/package.json', 'dist/operator.js', 'coverage/lcov.info', '.nyc_output/x.json', '.git/HEAD',
      'test/env/kube.ts', 'tsconfig.tsbuildinfo', '.env', 'src/.env.local']) {
      assert.ok(isIgnored(rules, path), path);
    }
  });

  it('sends everything the Dockerfile copies from the context', () => {
    const sources = instructions.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from=')).flatMap((i) => i.args.split(' ').slice(0, -1));
    assert.deepEqual(sources.sort(), ['config/crd', 'package-lock.json', 'package.json', 'src', 'tsconfig.build.json', 'tsconfig.json']);
    for (const path of [...sources, 'src/operator.ts', 'src/kube/index.ts', 'config/crd/source.k8sstormcenter.io_ocirepositories.yaml']) {
      assert.equal(isIgnored(rules, path), false, path);
    }
  });

  it('matches like Docker: last rule wins, a directory rule covers its files, * stays within a segment', () => {
    assert.equal(isIgnored(['dist'], 'dist/a/b.js'), true);
    assert.equal(isIgnored(['dist', '!dist/keep.js'], 'dist/keep.js'), false);
    assert.equal(isIgnored(['*.log'], 'logs/a.log'), false);
    assert.equal(isIgnored(['**/*.log'], 'logs/a.log'), true);
    assert.equal(isIgnored(['**/*.log'], 'a.log'), true);
  });
});

describe('deploy: config/manager runs the image as built', () => {
  interface Container {
    image: string;
    args: string[];
    ports: { name: string; containerPort: number }[];
    securityContext: { runAsUser: number; runAsNonRoot: boolean; readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean; capabilities: { drop: string[] } };
    volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
    readinessProbe: { httpGet: { path: string; port: string } };
    livenessProbe: { httpGet: { path: string; port: string } };
  }
  const deployment = parse(readFileSync(join(repoRoot, 'config/manager/deployment.yaml'), 'utf8')) as {
    spec: { replicas: number; strategy: { type: string }; template: { spec: { serviceAccountName: string; containers: Container[]; volumes: { name: string; emptyDir?: object }[] } } };
  };
  const pod = deployment.spec.template.spec;
  const [container] = pod.containers;

  it('runs one replica, replaced by Recreate, as the image user with a read-only root and no capabilities', () => {
    assert.ok(container !== undefined);
    assert.equal(pod.containers.length, 1);
    assert.equal(deployment.spec.replicas, 1);
    assert.equal(deployment.spec.strategy.type, 'Recreate');
    assert.equal(pod.serviceAccountName, 'bob-controller');
    const user = runtime?.instructions.find((i) => i.keyword === 'USER')?.args.split(':')[0];
    assert.equal(String(container.securityContext.runAsUser), user);
    assert.equal(container.securityContext.runAsNonRoot, true);
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    assert.equal(container.securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(container.securityContext.capabilities.drop, ['ALL']);
  });

  it('mounts writable emptyDirs where the image writes: --storage-path and HOME', () => {
    assert.ok(container !== undefined && runtime !== undefined);
    const writable = container.volumeMounts.filter((mount) => mount.readOnly !== true && pod.volumes.some((v) => v.name === mount.name && v.emptyDir !== undefined));
    const paths = writable.map((mount) => mount.mountPath).sort();
    assert.deepEqual(paths, ['/data', '/tmp']);
    const storage = container.args.find((arg) => arg.startsWith('--storage-path='))?.split('=')[1];
    assert.equal(storage, '/data');
    assert.ok(paths.includes(toEnv(runtime).get('HOME') ?? ''));
  });

  it('declares the ports the image exposes and probes the health port', () => {
    assert.ok(container !== undefined);
    const exposed = (runtime?.instructions.find((i) => i.keyword === 'EXPOSE')?.args ?? '').split(' ').map(Number).sort();
    assert.deepEqual(container.ports.map((port) => port.containerPort).sort(), exposed);
    assert.deepEqual(container.ports.map((port) => `${port.name}:${port.containerPort}`), ['http:9090', 'http-prom:8080', 'healthz:9440']);
    assert.deepEqual(container.readinessProbe.httpGet, { path: '/readyz', port: 'healthz' });
    assert.deepEqual(container.livenessProbe.httpGet, { path: '/healthz', port: 'healthz' });
    const kustomization = parse(readFileSync(join(repoRoot, 'config/manager/kustomization.yaml'), 'utf8')) as { images: { name: string }[] };
    assert.deepEqual(kustomization.images.map((image) => image.name), [container.image.replace(/:[^:/]+$/, '')]);
  });
});
