import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

export default ts.config(
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  prettier,
  ...svelte.configs.prettier,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      // TypeScript already reports undefined names, with better messages.
      'no-undef': 'off',
      // Sheaf is served at the root (no paths.base), so plain hrefs are correct; resolve() would only add noise.
      'svelte/no-navigation-without-resolve': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }]
    }
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.svelte'],
        parser: ts.parser,
        svelteConfig
      }
    }
  },
  // A cell kind's UI (cells/<kind>/ui/, found by cells/ui-registry.ts) is Svelte and reaches into $lib: browsers
  // only. The server and its child processes use the kinds' shared part, cells/registry.ts.
  {
    files: ['server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/cells/ui-*', '**/cells/*/ui', '**/cells/*/ui/**', '$cells/ui-*', '$cells/*/ui/**'],
              message: "A cell kind's UI is for browsers: use cells/registry.ts."
            }
          ]
        }
      ]
    }
  },
  // The rest of cells/ runs on both sides, so it imports neither the browser's code nor the server's.
  {
    files: ['cells/**/*.ts', 'cells/**/*.svelte'],
    ignores: ['cells/ui-*.ts', 'cells/*/ui/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['$lib', '$lib/**', '$server', '$server/**', '**/src/**', '**/server/**', '*.svelte'],
              message:
                'cells/ runs in browsers and on the server: only cells/<kind>/ui/ may use browser code.'
            }
          ]
        }
      ]
    }
  },
  {
    ignores: ['build/', '.svelte-kit/', 'node_modules/', 'data/', 'test-results/', 'playwright-report/']
  }
);
