// `npm start` as a newcomer meets it, in a copy of the app without a build: one line while it builds (none of the
// bundler's warnings or timings), then the URL and the demo login; the next start serves at once; a build that
// fails says so and shows what the build printed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, cp, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './helpers/free-port';

const APP_FILES = [
  'src',
  'cells',
  'server',
  'static',
  'migrations',
  'svelte.config.js',
  'vite.config.ts',
  'tsconfig.json',
  'package.json',
  'package-lock.json'
];

let copy: string;

beforeAll(async () => {
  copy = await mkdtemp(path.join(tmpdir(), 'sheaf-start-'));
  for (const f of APP_FILES) await cp(f, path.join(copy, f), { recursive: true });
  await symlink(await realpath('node_modules'), path.join(copy, 'node_modules'), 'dir');
});

afterAll(async () => {
  if (copy) await rm(copy, { recursive: true, force: true });
});

type Started = { stdout: string; stderr: string; code: number | null; port: number };

/** Runs `npm start`'s entry in the copy (stdout a pipe, as under a service manager) until it has printed its last
 * start-up line or exited, then stops it. */
async function npmStart(): Promise<Started> {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sheaf-start-data-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/start.ts'], {
    cwd: copy,
    stdio: ['ignore', 'pipe', 'pipe'],
    // The embedded database and its demo, as for someone who has just cloned the repository.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), DATA_DIR: dataDir }
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  let code: number | null | undefined;
  const exited = new Promise<void>((r) =>
    child.once('close', (c) => {
      code = c;
      r();
    })
  );
  try {
    while (code === undefined && !/^Data: .*$/m.test(stdout)) await new Promise((r) => setTimeout(r, 100));
    if (code === undefined) {
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
    }
    return { stdout, stderr, code: code ?? null, port };
  } finally {
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }
}

const serving = (port: number) => [
  `Sheaf is running at http://localhost:${port}`,
  'Demo login: demo@sheaf.local / sheaf-demo'
];

describe('npm start', () => {
  it('builds on first start behind one progress line, then prints the URL and the demo login', async () => {
    expect(existsSync(path.join(copy, 'build'))).toBe(false);
    const s = await npmStart();
    const lines = s.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'Building Sheaf (first start, up to a minute)…',
      expect.stringMatching(/^Built in \d+ s\.$/),
      ...serving(s.port)
    ]);
    // What the bundler prints on a build that works: its timings, chunk sizes, the adapter's name.
    expect(s.stdout + s.stderr).not.toMatch(/PLUGIN_TIMINGS|Some chunks|@sveltejs\/adapter-node/);
    expect(s.stderr).toBe('');
    expect(existsSync(path.join(copy, 'build/handler.js'))).toBe(true);
  }, 240_000);

  it('serves at once when the build is current', async () => {
    const s = await npmStart();
    expect(s.stdout.split('\n').slice(0, 2)).toEqual(serving(s.port));
    expect(s.stderr).toBe('');
  }, 120_000);

  it('says when the build fails, shows what the build printed, and does not start', async () => {
    await appendFile(path.join(copy, 'src/hooks.server.ts'), '\nexport const broken = ;\n');
    const s = await npmStart();
    expect(s.code).toBe(1);
    expect(s.stdout).toBe('Sources changed since the last build: rebuilding Sheaf…\n');
    expect(s.stderr).toMatch(/^The build failed \(exit code 1\)\. What it printed:\n/);
    expect(s.stderr).toContain('hooks.server.ts');
    expect(s.stdout + s.stderr).not.toContain('Sheaf is running');
  }, 240_000);
});
