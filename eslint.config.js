// Lint = the dependency rules of the monorepo (STYLE.md): apps → libs, never app → app; the pure
// libs (contracts, scheduling-core, ml) import no framework and no adapter lib.
const nx = require('@nx/eslint-plugin');

module.exports = [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', 'tmp', 'data', '**/*.js'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          // Tests anywhere may use the testing lib.
          allow: ['@kairos/testing'],
          banTransitiveDependencies: false,
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:adapter', 'type:util', 'type:testing'] },
            { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:domain', 'type:adapter', 'type:util'] },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain'],
              bannedExternalImports: ['@nestjs/*', 'typeorm', 'kafkajs', 'pg', 'express'],
            },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:domain', 'type:adapter', 'type:util'] },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-empty-function': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The dashboard runs in the browser: no Node built-ins (its tsconfig has Node types only for the
    // contracts it imports as types).
    files: ['apps/dashboard/src/**/*.ts', 'apps/dashboard/src/**/*.tsx'],
    ignores: ['**/*.spec.ts', '**/*.spec.tsx'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^node:', message: 'browser code: no Node built-ins' }], paths: ['fs', 'path', 'crypto', 'os', 'child_process'] }],
    },
  },
  // SQL lives only in *.repository.ts (and migrations): services, controllers and consumers take
  // repositories by injection, so they are unit-tested with fakes (STYLE.md "Every I/O behind a repository").
  {
    files: ['apps/**/*.ts', 'libs/runtime/**/*.ts', 'libs/bus/**/*.ts'],
    ignores: ['**/*.repository.ts', '**/migrations/**', '**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/test/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='query']",
          message: 'SQL only in *.repository.ts: call a repository (a provider bound to a token) instead of .query().',
        },
        {
          selector: 'CallExpression[callee.property.name=/^(transaction|createQueryRunner)$/]',
          message: 'Transactions only in *.repository.ts: give the repository a method for the unit of work.',
        },
        {
          selector: 'TemplateLiteral[quasis.0.value.raw=/^\\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM|WITH \\w+ AS)\\b/]',
          message: 'SQL text only in *.repository.ts and migrations.',
        },
        {
          selector: 'Literal[value=/^\\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM|WITH \\w+ AS)\\b/]',
          message: 'SQL text only in *.repository.ts and migrations.',
        },
      ],
    },
  },
  // The ml registry core (and every domain lib) touches no file system: file access is a port
  // (RegistryFiles) with its Node adapter in libs/ml/src/adapters.
  {
    files: ['libs/ml/src/**/*.ts', 'libs/contracts/src/**/*.ts', 'libs/scheduling-core/src/**/*.ts'],
    ignores: ['libs/ml/src/adapters/**', '**/*.spec.ts', '**/*.fixtures.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['fs', 'node:fs', 'fs/promises', 'node:fs/promises'].map((name) => ({ name, message: 'Domain code imports no file system: use a port with an adapter (libs/ml/src/adapters).' })) }],
    },
  },
];
