// ESLint 9 flat config: typescript-eslint's recommended rules plus a few cheap type-aware ones, Prettier's formatting
// left to Prettier (eslint-config-prettier, last), and the monorepo's module boundaries (eslint/boundaries.js).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import boundaries from './eslint/boundaries.js';

const root = import.meta.dirname;

/**
 * Files outside libs/ that may import a lib's internals by path, each with its reason. Everything else imports a lib as
 * '@conveyor/<name>' (its index.ts); a symbol that is missing there is exported from there, not imported by path.
 */
const libInternalsAllowed = [
  {
    file: 'test/global-setup.ts',
    reason: "jest's globalSetup is loaded without moduleNameMapper, so '@conveyor/*' does not resolve there.",
  },
  {
    file: 'test/global-teardown.ts',
    reason: "jest's globalTeardown is loaded without moduleNameMapper, so '@conveyor/*' does not resolve there.",
  },
  {
    file: 'test/support/database.util.ts',
    reason: 'imported by test/global-setup.ts (no moduleNameMapper), so it cannot use the alias either.',
  },
];

export default defineConfig([
  globalIgnores(['**/node_modules/', 'dist/', 'coverage/', 'bench/results/', '.conveyor/', 'deploy/', 'test-artifacts/']),

  {
    name: 'conveyor/typescript',
    files: ['{apps,libs,test,bench}/**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    plugins: { conveyor: { rules: { boundaries } } },
    rules: {
      'conveyor/boundaries': ['error', { root, compositionRoots: ['embedded'], libInternalsAllowed }],

      // Type-aware, and cheap once the program is built: promises that nobody awaits or that are passed where a
      // callback's return value is ignored lose their errors (an unhandled rejection ends the process).
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',

      // NestJS: interface-implementing and framework callbacks keep parameters they do not use (prefix them with `_`).
      // DI constructors are empty bodies with parameter properties: no-empty-function and no-useless-constructor stay off.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },

  {
    // The web console (a browser bundle with its own tsconfig): the same rules over its TSX, with the browser's globals.
    name: 'conveyor/console-web',
    files: ['apps/console-web/src/**/*.{ts,tsx}'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: {
      globals: globals.browser,
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
  },

  {
    // Tests and benchmarks read arbitrary JSON answers; typing each one would add nothing but casts.
    name: 'conveyor/tests',
    files: ['{test,bench}/**/*.ts', '**/*.spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },

  {
    // The repository's own JavaScript: jest.config.js, the boundary rule and its spec (CommonJS), and this file.
    name: 'conveyor/javascript',
    files: ['**/*.{js,mjs,cjs}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
  },
  { name: 'conveyor/commonjs', files: ['**/*.{js,cjs}'], languageOptions: { sourceType: 'commonjs' } },

  prettier,
]);
