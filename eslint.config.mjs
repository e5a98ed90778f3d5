// ESLint flat config: typescript-eslint with type information, import cycles, and Nx module boundaries.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';
import importPlugin from 'eslint-plugin-import';
import { builtinModules } from 'node:module';
import { createProjectGraphAsync, readCachedProjectGraph } from '@nx/devkit';

// @nx/enforce-module-boundaries reads Nx's cached project graph and, when there is none, prints a warning
// to stdout and skips itself, which lets every boundary violation pass. So every ESLint run (CLI, tests,
// editors) builds the graph first, and stops here if it still cannot be read.
process.env.NX_DAEMON ??= 'false';
await createProjectGraphAsync({ exitOnError: false });
const projects = Object.values(readCachedProjectGraph().nodes);

/** Source globs of the projects carrying `tag`, read from their project.json. */
const sourcesTagged = (tag) =>
  projects.filter((p) => p.data.tags?.includes(tag)).map((p) => `${p.data.root}/**/*.ts`);

const workflowBanned = [
  'mongodb',
  'nats',
  '@tensorflow/*',
  'prom-client',
  '@temporalio/activity',
  '@temporalio/worker',
  '@temporalio/client',
  'pino',
];

const deepImports = {
  group: ['@foldwise/*/**'],
  message: "Import a workspace package only through its index (src/index.ts), e.g. '@foldwise/store'.",
};
const nodeBuiltins = 'Workflow-sandbox code (workflows and pure libraries) cannot use Node built-ins.';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '.cache/**',
      '.nx/**',
      'dist/**',
      '**/dist/**',
      'test/artifacts/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
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
      'no-restricted-imports': ['error', { patterns: [deepImports] }],
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
    // Node's built-in modules are not npm packages, so the boundary rule's bannedExternalImports never sees
    // them; code that runs in the workflow sandbox (workflows and the pure libraries they use) bans them here.
    files: [...sourcesTagged('type:workflow'), ...sourcesTagged('type:lib-pure')],
    ignores: ['**/*.test.ts', '**/*.testutil.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: builtinModules.map((name) => ({ name, message: nodeBuiltins })),
          patterns: [deepImports, { group: ['node:*'], message: nodeBuiltins }],
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
