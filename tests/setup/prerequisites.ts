// What `npm test` needs from the machine: Chromium always, PostgreSQL and MariaDB binaries only when no server is
// given in TEST_DATABASE_URL / TEST_MYSQL_URL. Missing ones are installed where that is safe to do unasked (root on
// Debian, as CI runs); anywhere else the run stops before doing anything, with the one command that installs them.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** A problem the person running the tests can fix; printed without a stack trace. */
export class SetupError extends Error {}

export type MariadbBins = { server: string; installDb: string; admin: string };

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** `name` on PATH, else in `fallbacks` (Debian keeps server binaries in sbin, which non-login PATHs lack). */
export function which(name: string, fallbacks: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...fallbacks];
  return dirs.map((d) => path.join(d, name)).find(executable);
}

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export function findChromium(): string | undefined {
  return executable(DEFAULT_CHROMIUM) ? DEFAULT_CHROMIUM : undefined;
}

/** The bin folder holding initdb and pg_ctl: Debian's newest /usr/lib/postgresql/<major>/bin, else PATH's. */
export function findPostgres(): string | undefined {
  const complete = (bin: string) =>
    executable(path.join(bin, 'initdb')) && executable(path.join(bin, 'pg_ctl'));
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const newest = readdirSync(root)
      .map((major) => path.join(root, major, 'bin'))
      .filter(complete)
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
      .pop();
    if (newest) return newest;
  }
  const initdb = which('initdb');
  return initdb && complete(path.dirname(initdb)) ? path.dirname(initdb) : undefined;
}

export function findMariadb(): MariadbBins | undefined {
  const server = which('mariadbd', ['/usr/sbin', '/usr/libexec']);
  const installDb = which('mariadb-install-db', ['/usr/bin', '/usr/sbin']);
  const admin = which('mariadb-admin', ['/usr/bin']);
  return server && installDb && admin ? { server, installDb, admin } : undefined;
}

export type Missing = { what: string; pkg: string };

/** Installs Debian packages with apt-get when we are root on Debian; otherwise throws with the command to run. */
export function installOrExplain(missing: Missing[]): void {
  const pkgs = missing.map((m) => m.pkg);
  const names = missing.map((m) => m.what);
  const what = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? '');
  const debian = existsSync('/etc/debian_version') && which('apt-get', ['/usr/bin']) !== undefined;
  const root = process.getuid?.() === 0;
  if (!debian || !root) {
    const command = `${root ? '' : 'sudo '}apt-get install -y ${pkgs.join(' ')}`;
    throw new SetupError(
      `npm test needs ${what}, which ${names.length > 1 ? 'are' : 'is'} not on this machine. Install ` +
        `${names.length > 1 ? 'them' : 'it'} with:\n\n` +
        `  ${command}\n\n` +
        (debian
          ? ''
          : `(that is Debian's command; elsewhere install the same packages with your package manager)\n`) +
        'or point CHROMIUM_PATH / TEST_DATABASE_URL / TEST_MYSQL_URL at ones you already have.'
    );
  }
  console.log(`npm test: ${what} missing; installing ${pkgs.join(' ')} with apt-get…`);
  // apt-get's progress is noise when it works; it is printed when it does not.
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const began = Date.now();
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', ...pkgs]
  ]) {
    // A large maxBuffer: spawnSync kills a child whose output overflows it, and dpkg must not die half-way.
    const r = spawnSync('apt-get', args, {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 256 * 1024 * 1024
    });
    if (r.status !== 0) {
      throw new SetupError(
        `apt-get ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stdout ?? ''}${r.stderr ?? ''}`
      );
    }
  }
  console.log(`npm test: installed ${pkgs.join(' ')} in ${Math.round((Date.now() - began) / 1000)} s`);
}
