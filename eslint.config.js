// Lint: typescript-eslint strict + type-checked, and the module arrows of
// ARCHITECTURE.md as import rules, so a boundary break fails `npm test`.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Which src/ modules each module may import (always through their index.ts). */
export const ARROWS = {
  shared: [],
  oci: ['shared'],
  verify: ['shared', 'oci'],
  archive: ['shared'],
  storage: ['shared', 'archive'],
  api: ['shared'],
  kube: ['shared', 'api'],
  runtime: ['shared', 'kube'],
  controller: ['shared', 'oci', 'verify', 'archive', 'storage', 'api', 'kube', 'runtime'],
  cli: ['shared', 'oci', 'verify', 'archive', 'storage', 'api', 'kube'],
};

/** Third-party libraries that belong to exactly one module. */
export const OWNED_LIBRARIES = {
  undici: 'oci',
  'tar-stream': 'archive',
  sigstore: 'verify',
  '@sigstore/*': 'verify',
  openpgp: 'verify',
  tweetnacl: 'verify',
  'p-queue': 'runtime',
  '@kubernetes/client-node': 'kube',
};

const MODULES = Object.keys(ARROWS);

/** no-restricted-imports patterns for files of `module`. */
export function boundaryPatterns(module) {
  const allowed = new Set(ARROWS[module]);
  const patterns = [];
  for (const other of MODULES) {
    if (other === module) continue;
    if (allowed.has(other)) {
      patterns.push({
        group: [`**/${other}/**`, `!**/${other}/index.ts`],
        message: `import ${other}/ through its index.ts (ARCHITECTURE.md).`,
      });
    } else {
      patterns.push({
        group: [`**/${other}`, `**/${other}/**`, `**/${other}.ts`],
        message: `${module}/ must not import ${other}/ (ARCHITECTURE.md arrows).`,
      });
    }
  }
  for (const [library, owner] of Object.entries(OWNED_LIBRARIES)) {
    if (owner === module) continue;
    patterns.push({ group: [library, `${library}/**`], message: `${library} lives in ${owner}/ only.` });
  }
  return patterns;
}

/** The import-boundary part of the config; test/unit/lint checks it on sample imports. */
export const BOUNDARY_CONFIGS = [
  ...MODULES.map((module) => ({
    files: [`src/${module}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: boundaryPatterns(module) }] },
  })),
  {
    // The composition root may import every module, still only through index.ts.
    files: ['src/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: MODULES.map((m) => ({ group: [`./${m}/**`, `!./${m}/index.ts`], message: `import ${m}/ through its index.ts.` })),
      }],
    },
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/explicit-function-return-type': ['error', { allowExpressions: true }],
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // client-node's generated models are plain data classes built from object literals.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      'no-console': 'off',
    },
  },
  ...BOUNDARY_CONFIGS,
  {
    files: ['**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { parserOptions: { projectService: false, program: null } },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/explicit-function-return-type': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // mocha's describe/it callbacks and chai-less asserts read better without these.
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/explicit-function-return-type': 'off',
    },
  },
);
