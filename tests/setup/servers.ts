// Throwaway PostgreSQL and MariaDB servers for one test run: loopback only, on free ports, each in its own temporary
// folder that goes when it stops. PostgreSQL refuses to run as root, so as root both run as an unprivileged account.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from '../integration/helpers/free-port';
import os from 'node:os';
import path from 'node:path';
import { SetupError, which, type MariadbBins } from './prerequisites';
import { startRedis as startRedisServer } from '../integration/helpers/redis-server';

export type Server = { url: string; version: string; dir: string };

type Account = { name: string; uid: number; gid: number };

// Stops for everything started so far, registered before a server starts so that an interruption mid-start
// still removes it. Synchronous, so that they also run from process.on('exit').
const stops: (() => void)[] = [];

/** Stops every server started so far (newest first) and removes their folders; safe to call more than once. */
export function stopServers(): void {
  for (let stop = stops.pop(); stop; stop = stops.pop()) {
    try {
      stop();
    } catch (e) {
      console.error(`npm test: stopping a test server failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** When we are root: `preferred` (the account Debian's package made for the server), else `nobody`. */
function unprivileged(preferred: string): Account | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of [preferred, 'nobody']) {
    const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (uid.status === 0 && gid.status === 0) {
      return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
    }
  }
  throw new SetupError(
    `npm test runs as root, and the test servers must not: create an unprivileged account (useradd -r ${preferred}).`
  );
}

/** The command line running `file` as `account` (setpriv execs in place, so the pid is the program's own). */
function asAccount(account: Account | undefined, file: string, args: string[]): [string, string[]] {
  if (!account) return [file, args];
  if (which('setpriv', ['/usr/bin'])) {
    return [
      'setpriv',
      [`--reuid=${account.uid}`, `--regid=${account.gid}`, '--init-groups', '--', file, ...args]
    ];
  }
  return ['runuser', ['-u', account.name, '--', file, ...args]];
}

function run(command: [string, string[]], cwd: string): { ok: boolean; output: string } {
  const r = spawnSync(command[0], command[1], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { ok: r.status === 0, output: `${r.error?.message ?? ''}${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function readTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** A folder only `account` (or we) can use; mkdtemp makes it 0700. */
function tempDir(prefix: string, account: Account | undefined): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  if (account) chownSync(dir, account.uid, account.gid);
  return dir;
}

const portTaken = /address already in use|could not bind|bind on tcp\/ip port/i;

export async function startPostgres(bin: string): Promise<Server> {
  const account = unprivileged('postgres');
  const dir = tempDir('sheaf-test-pg-', account);
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'log');
  const pgCtl = path.join(bin, 'pg_ctl');
  stops.push(() => {
    // Immediate: nothing in a throwaway cluster is worth a shutdown checkpoint.
    run(asAccount(account, pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']), dir);
    rmSync(dir, { recursive: true, force: true });
  });

  const init = ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync'];
  const initdb = run(asAccount(account, path.join(bin, 'initdb'), init), dir);
  if (!initdb.ok) throw new SetupError(`initdb failed for the test PostgreSQL:\n${initdb.output}`);
  // The superuser connects without a password (TEST_DATABASE_URL); every other role must give one, so tests of
  // connected databases meet real password authentication.
  const hba = path.join(data, 'pg_hba.conf');
  writeFileSync(
    hba,
    [
      'local all all                   trust',
      'host  all postgres 127.0.0.1/32 trust',
      'host  all all      127.0.0.1/32 scram-sha-256',
      ''
    ].join('\n')
  );
  if (account) chownSync(hba, account.uid, account.gid);

  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    // fsync=off: a crash loses nothing of value here, and the suites write a lot.
    const options =
      `-k '${dir}' -c listen_addresses=127.0.0.1 -p ${port} -c fsync=off ` +
      `-c password_encryption=scram-sha-256`;
    const start = run(
      asAccount(account, pgCtl, ['-D', data, '-l', log, '-w', '-t', '60', '-o', options, 'start']),
      dir
    );
    if (start.ok) {
      const version = spawnSync(path.join(bin, 'postgres'), ['--version'], { encoding: 'utf8' });
      return {
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        version: version.stdout?.trim().split(/\s+/)[2] ?? '?',
        dir
      };
    }
    // Another process may take the port between our probe and the server's bind; try another one.
    if (attempt < 3 && portTaken.test(readTail(log))) continue;
    throw new SetupError(`The test PostgreSQL did not start:\n${start.output}\n${readTail(log)}`);
  }
}

export async function startMariadb(bins: MariadbBins): Promise<Server> {
  const account = unprivileged('mysql');
  const dir = tempDir('sheaf-test-mariadb-', account);
  const data = path.join(dir, 'data');
  const socket = path.join(dir, 'sock');
  const errorLog = path.join(dir, 'error.log');
  const asUser = account ? [`--user=${account.name}`] : [];
  let pid: number | undefined;
  stops.push(() => {
    if (pid !== undefined) {
      run([bins.admin, [`--socket=${socket}`, '-uroot', '--shutdown-timeout=20', 'shutdown']], dir);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone: the shutdown above worked.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  // Root logs in over TCP without a password (TEST_MYSQL_URL); the tests' own users get one.
  const install = run(
    [
      bins.installDb,
      [`--datadir=${data}`, ...asUser, '--auth-root-authentication-method=normal', '--skip-test-db']
    ],
    dir
  );
  if (!install.ok) throw new SetupError(`mariadb-install-db failed for the test MariaDB:\n${install.output}`);

  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn(
      bins.server,
      [
        ...asUser,
        `--datadir=${data}`,
        `--socket=${socket}`,
        `--pid-file=${path.join(dir, 'pid')}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        '--skip-log-bin',
        `--log-error=${errorLog}`
      ],
      // Its own process group: a Ctrl-C in the terminal reaches the tests, and we stop the server after them.
      { cwd: dir, detached: true, stdio: 'ignore' }
    );
    child.unref();
    pid = child.pid;
    let exited = false;
    child.on('exit', () => (exited = true));
    child.on('error', () => (exited = true));
    const deadline = Date.now() + 60_000;
    while (!exited && Date.now() < deadline) {
      if (run([bins.admin, [`--socket=${socket}`, '-uroot', 'ping']], dir).ok) {
        const version = spawnSync(bins.server, ['--version'], { encoding: 'utf8' });
        return {
          url: `mysql://root@127.0.0.1:${port}/`,
          version: /Ver\s+(\S+?)(-MariaDB)?[-\s]/.exec(version.stdout ?? '')?.[1] ?? '?',
          dir
        };
      }
      await sleep(250);
    }
    if (exited && attempt < 3 && portTaken.test(readTail(errorLog))) continue;
    throw new SetupError(
      `The test MariaDB did not start${exited ? '' : ' within 60 s'}:\n${readTail(errorLog)}`
    );
  }
}

/** redis-server for the run (TEST_REDIS_URL): no persistence, so there is no folder to remove. */
export async function startRedis(bin: string): Promise<Server> {
  const redis = await startRedisServer(bin);
  // Synchronous, as every stop here (it also runs from process.on('exit')).
  stops.push(() => {
    const pid = redis.pid();
    if (pid !== undefined) process.kill(pid, 'SIGKILL');
  });
  const version = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return { url: redis.url, version: /v=(\S+)/.exec(version.stdout ?? '')?.[1] ?? '?', dir: '(no files)' };
}
