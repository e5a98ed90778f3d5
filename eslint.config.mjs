// ESLint flat config: typescript-eslint with type information, import cycles, and Nx module boundaries.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';
import importPlugin from 'eslint-plugin-import';

const workflowBanned = [
  'mongodb',
  'nats',
  '@tensorflow/*',
  'prom-client',
  '@temporalio/activity',
  '@temporalio/worker',
  '@temporalio/client',
  'pino',
  'fs',
  'node:*',
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '.cache/**',
      '.nx/**',
      'dist/**',
      'test/artifacts/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx, import: importPlugin },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    settings: { 'import/resolver': { node: { extensions: ['.ts', '.js'] } } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import/no-cycle': ['error', { maxDepth: 5 }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            {
              sourceTag: 'type:lib-pure',
              onlyDependOnLibsWithTags: ['type:lib-pure'],
              bannedExternalImports: workflowBanned,
            },
            {
              sourceTag: 'type:workflow',
              onlyDependOnLibsWithTags: ['type:lib-pure', 'type:activity'],
              bannedExternalImports: workflowBanned,
            },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib-pure', 'type:lib'] },
            { sourceTag: 'type:activity', onlyDependOnLibsWithTags: ['type:lib-pure', 'type:lib'] },
            {
              sourceTag: 'type:service',
              onlyDependOnLibsWithTags: ['type:lib-pure', 'type:lib', 'type:activity', 'type:workflow'],
            },
            { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['*'] },
          ],
        },
      ],
    },
  },
  {
    files: ['workflows/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@foldwise/activities', '@foldwise/activities/*'],
              allowTypeImports: true,
              message: 'Workflows import only types of activities.',
            },
          ],
        },
      ],
    },
  },
);
