// HAProxy running the reference deployment's own config (deploy/haproxy.cfg, not a copy) in front of Sheaf servers
// the test started: the servers' addresses and the listening port come in through the environment variables the
// config reads. In the foreground (-db), in its own process group, so the test stops it and a Ctrl-C does not.
import { spawn, type ChildProcess } from 'node:child_process';
import { which } from '../../setup/prerequisites';
import { freePort } from './free-port';

export const HAPROXY_CONFIG = 'deploy/haproxy.cfg';

export type Haproxy = {
  base: string;
  port: number;
  /** Everything HAProxy printed so far (its log goes to stdout). */
  output: () => string;
  stop: () => Promise<void>;
};

export function findHaproxy(): string | undefined {
  return which('haproxy', ['/usr/sbin', '/usr/local/sbin', '/usr/bin']);
}

/** Starts HAProxy in front of `servers` (host:port each, as deploy/haproxy.cfg has two: SHEAF_1 and SHEAF_2). */
export async function startHaproxy(servers: [string, string], bin = findHaproxy()): Promise<Haproxy> {
  if (!bin) throw new Error('haproxy is not installed (apt-get install -y haproxy; npm test does this)');
  const port = await freePort();
  let out = '';
  const child: ChildProcess = spawn(bin, ['-db', '-f', HAPROXY_CONFIG], {
    env: {
      PATH: process.env.PATH ?? '',
      HAPROXY_BIND: `127.0.0.1:${port}`,
      SHEAF_1: servers[0],
      SHEAF_2: servers[1]
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  });
  child.stdout!.setEncoding('utf8').on('data', (t: string) => (out += t));
  child.stderr!.setEncoding('utf8').on('data', (t: string) => (out += t));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const base = `http://127.0.0.1:${port}`;
  // HAProxy's own monitor URI answers once it listens, whatever the servers behind it do.
  for (const started = Date.now(); ;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode}):\n${out}`);
    const ok = await fetch(`${base}/haproxy-healthz`).then(
      (r) => r.status === 200,
      () => false
    );
    if (ok) break;
    if (Date.now() - started > 20_000) throw new Error(`haproxy did not start on port ${port}:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    base,
    port,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    }
  };
}
