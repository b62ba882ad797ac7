import tseslint from 'typescript-eslint';
import globals from 'globals';

const electronAndDom = {
  paths: [{ name: 'electron', message: 'services/ runs in plain Node: only main/ and preload/ touch Electron.' }],
  patterns: [{ group: ['react', 'react-dom', 'react/*', 'react-dom/*'], message: 'services/ has no DOM or UI code.' }],
};

export default tseslint.config(
  { ignores: ['out/**', 'release/**', 'node_modules/**', 'coverage/**', '**/*.d.ts', 'services/network/ops/dist/**', 'services/network/portal/dist/**'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['services/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', electronAndDom] },
  },
  {
    files: ['services/contract/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          ...electronAndDom,
          patterns: [
            ...electronAndDom.patterns,
            { group: ['node:*', 'fs', 'path', 'crypto', 'os', 'child_process', 'http', 'net', 'url'], message: 'services/contract runs anywhere: no Node built-ins.' },
            { group: ['../core/*', '../core/**', '../transport/**', '../network/**'], message: 'the contract depends on nothing else of ours.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer talks to Electron only through window.penny.' }],
          patterns: [
            { group: ['node:*'], message: 'The renderer is sandboxed: no Node built-ins.' },
            { group: ['**/services/core/**', '**/services/transport/**', '**/services/network/**'], message: 'The renderer imports only services/contract.' },
          ],
        },
      ],
    },
  },
);
