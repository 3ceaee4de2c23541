// What the browser benchmarks share: the built app started as `npm start` runs it (its own port and data folder,
// embedded PGlite), the demo user's login over HTTP, and the Chromium they drive.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../tests/integration/helpers/free-port';
import { DEMO } from '../server/db/seed';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Headless, and nothing in the background that would add requests or CPU to what is timed. */
export const CHROMIUM_ARGS = [
  ...(process.env.BENCH_CHROMIUM_FLAGS?.split(' ').filter(Boolean) ?? []),
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic'
];

export type BuiltApp = { origin: string; pid: number; stop(): Promise<void> };

/** What the SvelteKit build bundles: server/ and cells/ are reached through its aliases. */
const BUILT_FROM = ['src', 'server', 'cells', 'svelte.config.js', 'vite.config.ts', 'package-lock.json'];

function newestChange(entry: string): number {
  const s = statSync(entry, { throwIfNoEntry: false });
  if (!s) return 0;
  if (!s.isDirectory()) return s.mtimeMs;
  const files = readdirSync(entry, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
  return Math.max(0, ...files.map((f) => statSync(path.join(f.parentPath, f.name)).mtimeMs));
}

/**
 * Builds the app when build/ is missing or older than what it is built from: a bench of an old build measures old
 * code (bench:views once measured a page cache without its compressed copies that way).
 */
export function ensureFreshBuild(): void {
  const built = statSync('build/handler.js', { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const newest = Math.max(...BUILT_FROM.map(newestChange));
  if (built >= newest) return;
  console.log(
    `  building the app (npm run build): ${built ? 'build/ is older than its sources' : 'no build/ yet'}…`
  );
  const r = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed: the bench needs the built app.');
}

/**
 * Starts server/index.ts on `dataDir` (building the app first if build/ is missing or stale); resolves once it
 * serves.
 * `env` adds to or overrides the app's environment (e.g. DATABASE_URL for a real PostgreSQL).
 */
export async function startBuiltApp(
  dataDir: string,
  { seedDemo = true, env = {} }: { seedDemo?: boolean; env?: Record<string, string> } = {}
): Promise<BuiltApp> {
  ensureFreshBuild();
  const port = await freePort();
  const app: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SEED_DEMO: seedDemo ? '1' : '0',
      NODE_ENV: 'production',
      DATABASE_URL: '',
      ...env
    },
    stdio: ['ignore', 'pipe', 'inherit']
  });
  await new Promise<void>((resolve, reject) => {
    app.stdout!.on('data', (b: Buffer) => String(b).includes('Sheaf is running') && resolve());
    app.on('exit', (code) => reject(new Error(`the app exited (${code})`)));
  });
  const exited = new Promise<void>((resolve) => app.once('exit', () => resolve()));
  return {
    origin: `http://127.0.0.1:${port}`,
    pid: app.pid!,
    // Resolves once it has gone, so another app may start on the same data.
    stop: () => {
      app.kill('SIGTERM');
      return exited;
    }
  };
}

export type Cookie = { name: string; value: string };

/** Logs the demo user in over HTTP (outside any timing): the session cookies and their workspace's path. */
export async function logInAsDemo(origin: string): Promise<{ cookies: Cookie[]; workspace: string }> {
  const res = await fetch(`${origin}/login`, {
    method: 'POST',
    headers: { origin, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: DEMO.email, password: DEMO.password }),
    redirect: 'manual'
  });
  const cookies = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .map((c) => ({ name: c.slice(0, c.indexOf('=')), value: c.slice(c.indexOf('=') + 1) }));
  const workspace = res.headers.get('location');
  if (res.status !== 303 || !workspace || !cookies.length) throw new Error(`login failed (${res.status})`);
  return { cookies, workspace };
}
