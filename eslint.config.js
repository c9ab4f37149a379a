// Flat config. Layer rules (DESIGN.md §2) are enforced here so a crossed layer fails `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const electronRuntime = { name: 'electron', message: 'Only `import type` from electron outside the Electron runtime; main/core never imports electron.' };

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'release/**', '.tools/**', 'test-results/**', 'playwright-report/**', 'artifacts/**', 'build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [electronRuntime], patterns: [{ group: ['**/simulator/**', '**/electron/**'], message: 'main/core must not import the simulator or the Electron shell.' }] }],
    },
  },
  {
    files: ['simulator/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/main/**'], message: 'The simulator never imports client code (DESIGN.md §2).' }] }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      // The renderer may import TYPES from main/ipc/contract.ts and nothing else from main (DESIGN.md §2).
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ ...electronRuntime, allowTypeImports: false }],
        patterns: [{ group: ['**/main/**'], allowTypeImports: true, message: 'The renderer imports only types of the IPC contract from main.' }],
      }],
    },
  },
  {
    // Outside the Electron runtime `require('electron')` downloads the binary lazily and throws here.
    files: ['main/core/**/*.ts', 'main/cli/**/*.ts', 'simulator/**/*.ts', 'tests/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [{ ...electronRuntime, allowTypeImports: true }] }],
    },
  },
);
