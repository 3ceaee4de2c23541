// The production server (server/index.ts over the built app) in its own process on a free loopback port, as
// `npm start` runs it, so a test can throw anything at every route and see whether the process survives.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { freePort } from './free-port';

export type AppProcess = {
  base: string;
  dataDir: string;
  /** Everything the server printed so far. */
  output: () => string;
  /** Throws unless the process is running and /healthz answers within `withinMs`. */
  alive: (withinMs?: number) => Promise<void>;
  /** kill -9: a crash, not a shutdown (nothing is folded or closed); the folders and schema stay for stop(). */
  crash: () => Promise<void>;
  stop: () => Promise<void>;
};

/** Builds the app (as `npm start` does on first start), unless `npm test` built it for the whole run. */
export function buildApp(): void {
  if (process.env.SHEAF_TEST_BUILT === '1') return;
  const r = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'error'], {
    stdio: 'pipe',
    encoding: 'utf8'
  });
  if (r.status !== 0) throw new Error(`vite build failed:\n${r.stdout}\n${r.stderr}`);
}

export async function startApp(
  env: Record<string, string> = {},
  prepare?: (dataDir: string) => Promise<void>
): Promise<AppProcess> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sheaf-app-'));
  await prepare?.(dataDir);
  // env.PORT: started again where a crashed one was, for the browsers that keep reconnecting there.
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const url = process.env.TEST_DATABASE_URL;
  const schema = url ? `h_${randomBytes(6).toString('hex')}` : undefined;
  let out = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SECRET_KEY: randomBytes(32).toString('base64'),
      SEED_DEMO: '0',
      ...(url && schema ? { DATABASE_URL: url, DATABASE_SCHEMA: schema } : {}),
      ...env
    }
  });
  child.stdout!.setEncoding('utf8').on('data', (t: string) => (out += t));
  child.stderr!.setEncoding('utf8').on('data', (t: string) => (out += t));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const base = `http://127.0.0.1:${port}`;

  const alive = async (withinMs = 5000) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the server is down (${child.exitCode ?? child.signalCode}):\n${out.slice(-3000)}`);
    }
    const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(withinMs) });
    if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
  };
  const started = Date.now();
  for (;;) {
    try {
      await alive(1000);
      break;
    } catch (e) {
      if (child.exitCode !== null || Date.now() - started > 60_000) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    base,
    dataDir,
    output: () => out,
    alive,
    async crash() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
      if (url && schema) {
        const admin = postgres(url, { max: 1, onnotice: () => {} });
        await admin.unsafe(`drop schema if exists "${schema}" cascade`);
        await admin.end();
      }
    }
  };
}

/** A signed-up person's session in the app: their cookie and personal workspace. */
export type Visitor = { cookie: string; workspaceId: string; email: string; password: string };

export async function signUpOver(app: AppProcess, name = 'Mallory'): Promise<Visitor> {
  const email = `${name.toLowerCase()}.${randomBytes(4).toString('hex')}@example.test`;
  const password = 'correct horse battery';
  const res = await fetch(`${app.base}/signup`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      origin: app.base,
      accept: 'text/html',
      'content-type': 'application/x-www-form-urlencoded',
      // Read only when the server trusts it (ADDRESS_HEADER), as behind a proxy.
      'x-forwarded-for': '192.0.2.1'
    },
    body: new URLSearchParams({ email, name, password })
  });
  const cookie = /sheaf_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0];
  const workspaceId = /^\/w\/([^/?#]+)/.exec(res.headers.get('location') ?? '')?.[1];
  if (res.status !== 303 || !cookie || !workspaceId) {
    throw new Error(`sign-up failed: ${res.status} ${(await res.text()).slice(0, 500)}`);
  }
  return { cookie, workspaceId, email, password };
}

/** A new notebook in the visitor's workspace, made through the workspace page's form. */
export async function newNotebook(app: AppProcess, v: Visitor): Promise<string> {
  const res = await fetch(`${app.base}/w/${v.workspaceId}?/create`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      origin: app.base,
      accept: 'text/html',
      cookie: v.cookie,
      'content-type': 'application/x-www-form-urlencoded'
    },
    body: new URLSearchParams({ title: 'Target' })
  });
  const id = /^\/n\/([^/?#]+)/.exec(res.headers.get('location') ?? '')?.[1];
  if (!id) throw new Error(`could not create a notebook: ${res.status}`);
  return id;
}
