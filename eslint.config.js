// Type-aware lint (docs/style.md rule 9) plus the import boundaries of docs/architecture.md ("The
// import rules"), which dependency-cruiser (.dependency-cruiser.cjs) checks as well, from the other side.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const boundary = (patterns) => ['error', { patterns }];

export default tseslint.config(
  // Plain JavaScript is the config files' only, except the console's browser modules (below).
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'apps/gateway/console/**', '**/*.js', '!apps/gateway/src/console/static/*.js', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read the environment only in *.config.ts files.' }],
    },
  },
  // Tests may read the environment too (CI=true turns a missing server or tool from a skip into a failure).
  { files: ['**/*.config.ts', '**/*.spec.ts', 'tests/**', 'bench/**', 'scripts/**'], rules: { 'no-restricted-properties': 'off' } },
  {
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': boundary([
        { group: ['**/apps/**', '../../apps/*'], message: 'Libraries never import apps.' },
        { group: ['@nestjs/platform-*'], message: 'Libraries do not pick an HTTP platform.' },
      ]),
    },
  },
  {
    files: ['libs/core/**/*.ts'],
    rules: {
      'no-restricted-imports': boundary([
        { group: ['#*', '@nestjs/*', 'typeorm', 'jose', 'node:fs', 'node:net', 'node:http'], message: 'core imports nothing of ours and does no I/O.' },
      ]),
    },
  },
  {
    files: ['libs/routing/**/*.ts'],
    rules: {
      'no-restricted-imports': boundary([
        { group: ['#persistence', '#signing', '#delivery', '@nestjs/*', 'typeorm', 'jose', 'node:fs', 'node:net', 'node:http'], message: 'routing stays pure.' },
      ]),
    },
  },
  {
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['libs/signing/**'],
    rules: { 'no-restricted-imports': boundary([{ group: ['jose'], message: 'Only libs/signing imports jose.' }, { group: ['typeorm'], message: 'Only libs/persistence imports typeorm.' }]) },
  },
  {
    files: ['libs/persistence/**/*.ts'],
    rules: { 'no-restricted-imports': boundary([{ group: ['jose'], message: 'Only libs/signing imports jose.' }]) },
  },
  // The console: plain ES modules served as they are to the browser, typed with JSDoc and
  // checked by tsconfig.console.json (DOM library, no Node). The gateway's JSON answers are typed
  // `any` where they enter (api.js), so the no-unsafe-* rules would only repeat that.
  {
    files: ['apps/gateway/src/console/static/*.js'],
    languageOptions: {
      sourceType: 'module',
      parserOptions: { projectService: false, project: ['./tsconfig.console.json'], tsconfigRootDir: import.meta.dirname },
      // The browser globals the console uses; anything else is a mistake (no Node, no bundler).
      globals: Object.fromEntries(
        ['window', 'document', 'location', 'sessionStorage', 'fetch', 'crypto', 'setTimeout', 'setInterval', 'clearInterval', 'Node'].map((name) => [name, 'readonly']),
      ),
    },
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      'no-restricted-properties': 'off',
    },
  },
  {
    files: ['**/*.spec.ts', 'tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
