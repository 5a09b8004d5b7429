// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** A pattern list for no-restricted-imports, with a message that says what to do instead. */
const zone = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
});

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'bench/peers/**',
      '**/*.mjs',
      '**/*.cjs',
      'eslint.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name=/^(it|describe|test)$/][callee.property.name='only']",
          message: '.only silences the rest of the suite',
        },
      ],
    },
  },
  // Layer rules of STYLE.md §3: a wrong-layer import fails the lint.
  {
    files: ['packages/server/src/http/**', 'packages/server/src/realtime/**'],
    rules: zone(
      ['**/storage/**', 'kysely'],
      'The transport layer goes through domain/ (actions, access guards, queries), never storage.',
    ),
  },
  {
    files: ['packages/server/src/domain/**'],
    rules: zone(
      ['**/http/**', '**/realtime/**', 'fastify', '@fastify/*', 'ws'],
      'domain/ is framework-free: return data or throw DomainError; http/ maps it.',
    ),
  },
  {
    files: ['packages/server/src/storage/**'],
    rules: zone(
      ['**/domain/**', '**/http/**', '**/realtime/**'],
      'storage/ knows only Kysely and rows; the domain calls it, not the reverse.',
    ),
  },
  {
    files: ['packages/server/src/lib/**'],
    rules: zone(
      ['**/domain/**', '**/http/**', '**/storage/**', '**/realtime/**', '**/config/**'],
      'lib/ holds small utilities with no domain knowledge.',
    ),
  },
  {
    files: ['packages/protocol/src/**'],
    rules: zone(
      ['@enlets/*', 'node:*', 'fastify', 'kysely'],
      'protocol is pure and isomorphic: schemas and types only.',
    ),
  },
  {
    files: ['packages/crypto/src/**'],
    rules: zone(
      ['@enlets/server', '@enlets/client', '@enlets/cli', 'node:*'],
      'crypto is isomorphic (Node 20 and the browser) and knows no other ENLETS package.',
    ),
  },
  {
    files: ['packages/client/src/**'],
    rules: zone(
      ['@enlets/server', '@enlets/cli', 'node:*'],
      'The client SDK is isomorphic and never imports the server.',
    ),
  },
  {
    // The browser app: DOM types come from its tsconfig (lib DOM); it talks to the server only through the SDK.
    files: ['packages/web/src/**'],
    rules: zone(
      ['@enlets/server', '@enlets/cli', '@enlets/crypto', 'node:*', '**/server/**'],
      'The web client runs in the browser and reaches the server only over HTTP/WebSocket through @enlets/client.',
    ),
  },
  {
    files: ['packages/*/test/**', 'tools/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
    },
  },
);
