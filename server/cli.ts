// Operator commands: `npm run sheaf -- <command>`. They open the app database exactly as the server does
// (loadConfig + openMigratedDb), so the same DATABASE_URL / DATABASE_SCHEMA / DATA_DIR apply.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { resetPassword, temporaryPassword } from './auth/reset-password';
import { loadConfig } from './config';
import { openMigratedDb } from './db/open';
import { isAppError } from './errors';

const USAGE = `Usage: npm run sheaf -- <command>

Commands:
  reset-password <email>           set a new random password for that account, end all its sessions,
                                   and print the password once
  reset-password <email> --stdin   the same, with the new password read from standard input`;

class UsageError extends Error {}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('New password (then Enter, Ctrl+D): ');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  // Only the line ending a pipe or a terminal adds is dropped; any other spaces are part of the password.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function resetPasswordCommand(args: string[]): Promise<void> {
  const fromStdin = args.includes('--stdin');
  const rest = args.filter((a) => a !== '--stdin');
  if (rest.length !== 1 || rest[0]!.startsWith('-')) throw new UsageError('reset-password needs one email.');
  const email = rest[0]!;
  const password = fromStdin ? await readStdin() : temporaryPassword();

  const config = loadConfig();
  // PGlite is one process's files: opening them while the server has them open would corrupt the database.
  const pidFile = path.join(config.dataDir, 'pglite', 'postmaster.pid');
  if (!config.databaseUrl && existsSync(pidFile)) {
    throw new Error(
      `The embedded database in ${path.dirname(pidFile)} is in use. Stop Sheaf and run this again ` +
        `(if Sheaf is not running, it stopped uncleanly: delete ${pidFile} first).`
    );
  }
  const db = await openMigratedDb(config);
  try {
    const r = await resetPassword(db, email, password);
    const sessions = r.sessionsEnded === 1 ? '1 session was' : `${r.sessionsEnded} sessions were`;
    if (fromStdin) {
      console.log(`The password of ${r.name} <${r.email}> is now the one given; ${sessions} ended.`);
    } else {
      console.log(`Temporary password for ${r.name} <${r.email}> (shown only now):\n\n  ${password}\n`);
      console.log(`${sessions} ended. Give the password to them privately.`);
    }
  } finally {
    await db.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    if (command === 'reset-password') await resetPasswordCommand(args);
    else if (!command || command === 'help' || command === '--help') console.log(USAGE);
    else throw new UsageError(`Unknown command "${command}".`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`${e.message}\n\n${USAGE}`);
      return 2;
    }
    // AppErrors (an unknown email, a too-short password) and configuration problems are meant for people.
    console.error(isAppError(e) || e instanceof Error ? e.message : String(e));
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
