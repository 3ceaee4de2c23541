// `npm test` on any machine, CI included: finds (or installs) Chromium, PostgreSQL, MariaDB, Redis and HAProxy, starts
// throwaway servers unless TEST_DATABASE_URL / TEST_MYSQL_URL / TEST_REDIS_URL name existing ones, runs `npm run check`, `npm run test:unit` and
// `npm run test:e2e` against them, prints one line saying how each went, and always stops the servers it started —
// after failures, uncaught errors and SIGINT/SIGTERM/SIGHUP too.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, rmSync } from 'node:fs';
import {
  SetupError,
  findChromium,
  findMariadb,
  findPostgres,
  installOrExplain,
  type MariadbBins,
  type Missing
} from './prerequisites';
import { startMariadb, startPostgres, startRedis, stopServers } from './servers';
import { findRedis } from '../integration/helpers/redis-server';
import { findHaproxy } from '../integration/helpers/haproxy';

const began = Date.now();
let current: ChildProcess | undefined;
let interrupted: NodeJS.Signals | undefined;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const duration = (ms: number) => {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
};
/** A server URL without its password, for the log. */
const redact = (url: string) => url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
const given = (name: string) => (process.env[name] ? process.env[name] : undefined);

// process.exit() skips `finally`, so the servers are also stopped on the way out from anywhere.
process.on('exit', stopServers);

const exitCodes: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/** Signals the running step's whole process group: npm runs scripts through `sh -c`, which passes nothing on. */
function signalStep(signal: NodeJS.Signals): void {
  if (current?.pid === undefined || current.exitCode !== null || current.signalCode !== null) return;
  try {
    process.kill(-current.pid, signal);
  } catch {
    // The group has gone already.
  }
}

function interrupt(signal: NodeJS.Signals, why: string): void {
  if (interrupted) return;
  interrupted = signal;
  console.error(`\nnpm test: ${why}; stopping the tests and the test servers…`);
  if (!current) process.exit(exitCodes[signal]);
  // The step gets its chance to stop its own children (Playwright stops its web servers), then is killed.
  signalStep(signal);
  setTimeout(() => signalStep('SIGKILL'), 15_000).unref();
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.on(signal, () => interrupt(signal, signal));

// Whoever started us (npm, a CI runner) may die without passing a signal on; orphaned, we clean up as for SIGHUP.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) interrupt('SIGHUP', 'the process that started npm test has gone');
}, 1000).unref();

type Found = {
  chromium: string;
  postgres: string | undefined;
  mariadb: MariadbBins | undefined;
  redis: string | undefined;
};

/** What this run uses, or what is missing: servers given in TEST_* variables need no local binaries. */
function look(): { found: Found; missing: Missing[] } {
  const missing: Missing[] = [];
  let chromium = given('CHROMIUM_PATH');
  if (chromium) {
    try {
      accessSync(chromium, constants.X_OK);
    } catch {
      throw new SetupError(`CHROMIUM_PATH is ${chromium}, which is not an executable. Fix it or unset it.`);
    }
  } else {
    chromium = findChromium();
    if (!chromium) missing.push({ what: 'Chromium', pkg: 'chromium' });
  }
  const postgres = given('TEST_DATABASE_URL') ? undefined : findPostgres();
  if (!given('TEST_DATABASE_URL') && !postgres) missing.push({ what: 'PostgreSQL', pkg: 'postgresql' });
  const mariadb = given('TEST_MYSQL_URL') ? undefined : findMariadb();
  if (!given('TEST_MYSQL_URL') && !mariadb) missing.push({ what: 'MariaDB', pkg: 'mariadb-server' });
  // Always needed, TEST_REDIS_URL or not: the outage test stops and restarts a redis-server of its own.
  const redis = findRedis();
  if (!redis) missing.push({ what: 'Redis', pkg: 'redis-server' });
  // The reference deployment's test runs deploy/haproxy.cfg in front of two servers (each test starts its own).
  if (!findHaproxy()) missing.push({ what: 'HAProxy', pkg: 'haproxy' });
  return { found: { chromium: chromium ?? '', postgres, mariadb, redis }, missing };
}

function prerequisites(): Found {
  const first = look();
  if (first.missing.length === 0) return first.found;
  installOrExplain(first.missing);
  const again = look();
  if (again.missing.length > 0) {
    const pkgs = again.missing.map((m) => m.pkg).join(' ');
    throw new SetupError(
      `${again.missing.map((m) => m.what).join(', ')} still missing after apt-get installed ${pkgs}. If the ` +
        `packages were installed before and their files removed since, run: apt-get install -y --reinstall ${pkgs}`
    );
  }
  return again.found;
}

function step(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    console.log(`\nnpm test: npm ${args.join(' ')}`);
    // Its own process group, so that signalStep reaches every process in it; no stdin, as a background group
    // reading the terminal would be stopped.
    const child = spawn('npm', args, { stdio: ['ignore', 'inherit', 'inherit'], env, detached: true });
    current = child;
    child.on('error', (e) => {
      console.error(`npm test: could not run npm ${args.join(' ')}: ${e.message}`);
      resolve(1);
    });
    child.on('exit', (code) => {
      current = undefined;
      resolve(code ?? 1);
    });
  });
}

async function main(): Promise<number> {
  const found = prerequisites();
  const version = spawnSync(found.chromium, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  console.log(`npm test: ${version.stdout?.trim() || 'Chromium'} (${found.chromium})`);

  const serversStarted = Date.now();
  const env: NodeJS.ProcessEnv = { ...process.env, CHROMIUM_PATH: found.chromium };
  if (found.postgres) {
    const pg = await startPostgres(found.postgres);
    env.TEST_DATABASE_URL = pg.url;
    console.log(`npm test: PostgreSQL ${pg.version} on ${pg.url} (throwaway, in ${pg.dir})`);
  } else {
    console.log(`npm test: PostgreSQL from TEST_DATABASE_URL (${redact(env.TEST_DATABASE_URL ?? '')})`);
  }
  if (found.mariadb) {
    const my = await startMariadb(found.mariadb);
    env.TEST_MYSQL_URL = my.url;
    console.log(`npm test: MariaDB ${my.version} on ${my.url} (throwaway, in ${my.dir})`);
  } else {
    console.log(`npm test: MySQL/MariaDB from TEST_MYSQL_URL (${redact(env.TEST_MYSQL_URL ?? '')})`);
  }
  if (!given('TEST_REDIS_URL') && found.redis) {
    const redis = await startRedis(found.redis);
    env.TEST_REDIS_URL = redis.url;
    console.log(`npm test: Redis ${redis.version} on ${redis.url} (throwaway, no persistence)`);
  } else {
    console.log(`npm test: Redis from TEST_REDIS_URL (${redact(env.TEST_REDIS_URL ?? '')})`);
  }
  const serversReady = Date.now() - serversStarted;
  if (found.postgres || found.mariadb || found.redis)
    console.log(`npm test: test servers ready in ${seconds(serversReady)}`);

  // A report left by an earlier run must not pass for this run's (tests/summary.mjs reads them).
  for (const report of ['reports/vitest.json', 'reports/e2e.json']) rmSync(report, { force: true });

  // Every step runs even after one fails, so that one run shows everything that is wrong.
  // The app is built once, here: integration tests that start the production server and the e2e server then use
  // that build (SHEAF_TEST_BUILT) instead of each building it again into the same folder, side by side.
  const steps: [string, string[]][] = [
    ['check', ['run', 'check']],
    ['build', ['run', 'build', '--', '--logLevel', 'error']],
    ['unit + component + integration', ['run', 'test:unit']],
    ['e2e', ['run', 'test:e2e']]
  ];
  const results: string[] = [];
  let failed = false;
  for (const [name, args] of steps) {
    if (interrupted) break;
    const code = await step(args, env);
    failed ||= code !== 0;
    if (name === 'build' && code === 0) env.SHEAF_TEST_BUILT = '1';
    results.push(`${name} ${code === 0 ? 'passed' : `FAILED (exit ${code})`}`);
  }
  if (interrupted) return exitCodes[interrupted] ?? 1;
  const servers =
    found.postgres || found.mariadb || found.redis
      ? `; test servers took ${seconds(serversReady)} to start`
      : '';
  console.log(
    `\nnpm test: ${failed ? 'FAILED' : 'passed'} — ${results.join(', ')} — in ${duration(Date.now() - began)}${servers}`
  );
  return failed ? 1 : 0;
}

main()
  .catch((e: unknown) => {
    if (e instanceof SetupError) console.error(`\nnpm test: ${e.message}`);
    else console.error('\nnpm test: setting up the test run failed:', e);
    return 1;
  })
  .then((code) => {
    stopServers();
    process.exit(code);
  });
