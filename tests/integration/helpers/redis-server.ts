// A throwaway redis-server: loopback only, no persistence (nothing to clean up but the process), on a port we
// choose so that a test can stop it and start it again at the same address — what a Redis outage looks like to
// the Sheaf servers using it. npm test starts one for the whole run (tests/setup/servers.ts); a test that needs to
// stop Redis starts its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { which } from '../../setup/prerequisites';
import { freePort } from './free-port';

export type RedisServer = {
  url: string;
  port: number;
  /** The running server's pid, if it runs. */
  pid: () => number | undefined;
  /** Kills it (SIGKILL: an outage, not a shutdown). */
  stop: () => Promise<void>;
  /** Starts it again on the same port, empty. */
  restart: () => Promise<void>;
};

export function findRedis(): string | undefined {
  return which('redis-server', ['/usr/bin', '/usr/sbin', '/usr/local/bin']);
}

/** Resolves once something answers PING with PONG on `port` (nothing else says +PONG). */
function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => {
      got += d.toString();
      if (got.includes('\r\n')) {
        s.destroy();
        resolve(got.startsWith('+PONG'));
      }
    });
    s.on('error', () => resolve(false));
  });
}

function launch(bin: string, port: number): ChildProcess {
  const child = spawn(
    bin,
    // No RDB snapshots, no AOF: an empty Redis after every restart, as after losing a real one.
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    // Its own process group: a Ctrl-C in the terminal reaches the tests, which stop it.
    { stdio: 'ignore', detached: true }
  );
  child.unref();
  return child;
}

export async function startRedis(bin = findRedis()): Promise<RedisServer> {
  if (!bin)
    throw new Error('redis-server is not installed (apt-get install -y redis-server; npm test does this)');
  const port = await freePort();
  let child: ChildProcess | null = null;
  const up = async () => {
    const c = launch(bin, port);
    child = c;
    let exited = false;
    c.once('exit', () => (exited = true));
    const deadline = Date.now() + 20_000;
    while (!(await pong(port))) {
      if (exited || Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL'); // an outage, not a shutdown: no goodbye to the clients
    await gone;
  };
  await up();
  const pid = () => {
    const c = child as ChildProcess | null;
    return c && c.exitCode === null && c.signalCode === null ? c.pid : undefined;
  };
  return { url: `redis://127.0.0.1:${port}`, port, pid, stop, restart: up };
}
