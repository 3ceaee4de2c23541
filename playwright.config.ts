// e2e: Debian's Chromium drives the built app, served by server/index.ts on a free port with a throwaway database.
import { defineConfig } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  throw new Error(
    `e2e tests need Chromium at ${chromium}. Install Debian's (apt-get install -y chromium) ` +
      `or point CHROMIUM_PATH at another Chromium binary.`
  );
}

// Workers re-read this file; values chosen once in the main process travel to them through the environment.
process.env.SHEAF_E2E_PORT ??= String(20_000 + Math.floor(Math.random() * 30_000));
process.env.SHEAF_E2E_DATA ??= mkdtempSync(path.join(tmpdir(), 'sheaf-e2e-'));
process.env.SHEAF_E2E_SECRET ??= randomBytes(32).toString('base64');
process.env.SHEAF_E2E_SCHEMA ??= `e2e_${Date.now().toString(36)}`;
process.env.SHEAF_E2E_GEMINI_PORT ??= String(Number(process.env.SHEAF_E2E_PORT) + 1);
process.env.SHEAF_E2E_SMTP_PORT ??= String(Number(process.env.SHEAF_E2E_PORT) + 2);
process.env.SHEAF_E2E_SMTP_HTTP_PORT ??= String(Number(process.env.SHEAF_E2E_PORT) + 3);
const port = Number(process.env.SHEAF_E2E_PORT);
export const baseURL = `http://127.0.0.1:${port}`;
/** The scripted model (tests/gemini) the app's assistant talks to; specs script it over HTTP. */
export const geminiURL = `http://127.0.0.1:${process.env.SHEAF_E2E_GEMINI_PORT}`;
/** The mail server the app sends to (tests/smtp); specs read what it received here. */
export const mailSinkURL = `http://127.0.0.1:${process.env.SHEAF_E2E_SMTP_HTTP_PORT}/messages`;

const dbEnv: Record<string, string> = process.env.TEST_DATABASE_URL
  ? { DATABASE_URL: process.env.TEST_DATABASE_URL, DATABASE_SCHEMA: process.env.SHEAF_E2E_SCHEMA }
  : {};

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: 'reports/e2e.json' }]],
  timeout: 30_000,
  globalTeardown: './tests/e2e/global-teardown.ts',
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromium,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic'
      ]
    }
  },
  webServer: [
    {
      command: 'node node_modules/tsx/dist/cli.mjs tests/gemini/serve.ts',
      url: `${geminiURL}/__requests`,
      reuseExistingServer: false,
      timeout: 30_000,
      env: { SCRIPTED_GEMINI_PORT: process.env.SHEAF_E2E_GEMINI_PORT }
    },
    {
      command: 'node node_modules/tsx/dist/cli.mjs tests/smtp/serve.ts',
      url: mailSinkURL,
      reuseExistingServer: false,
      timeout: 30_000,
      env: {
        SMTP_SINK_PORT: process.env.SHEAF_E2E_SMTP_PORT,
        SMTP_SINK_HTTP_PORT: process.env.SHEAF_E2E_SMTP_HTTP_PORT
      }
    },
    {
      // `npm test` builds once before every step that needs the app (SHEAF_TEST_BUILT).
      command: `${process.env.SHEAF_TEST_BUILT === '1' ? '' : 'node node_modules/vite/bin/vite.js build --logLevel error && '}node node_modules/tsx/dist/cli.mjs server/index.ts`,
      url: `${baseURL}/healthz`,
      reuseExistingServer: false,
      timeout: 180_000,
      stdout: 'pipe',
      stderr: 'pipe',
      env: {
        ...dbEnv,
        NODE_ENV: 'production',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: process.env.SHEAF_E2E_DATA,
        SEED_DEMO: '1',
        SECRET_KEY: process.env.SHEAF_E2E_SECRET,
        // The test databases run on this machine, which connections refuse by default.
        CONNECTION_ALLOW_HOSTS: '127.0.0.1,localhost',
        GEMINI_API_KEY: 'e2e-key',
        GEMINI_MODEL: 'gemini-e2e',
        GEMINI_BASE_URL: geminiURL,
        SMTP_URL: `smtp://127.0.0.1:${process.env.SHEAF_E2E_SMTP_PORT}`,
        MAIL_FROM: 'Sheaf <sheaf@example.test>',
        // A dashboard link's first paint on the server starts a workbench child, slow on this shared machine: the
        // specs check what it shows, not how fast (the default budget falls back to the browser sooner).
        FIRST_PAINT_BUDGET_MS: '20000'
      }
    }
  ]
});
