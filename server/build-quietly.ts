// `npm start`'s build, as a person starting Sheaf should see it: one progress line while it runs (ticking seconds
// on a terminal, a plain line otherwise), then how long it took. What the build prints is kept and shown only
// when it fails, since bundler warnings and timings are for whoever changes the code, not for whoever runs it.
import { spawn } from 'node:child_process';

export type Terminal = { isTTY?: boolean; write: (text: string) => unknown };

export type BuildResult = { ok: boolean; ms: number; output: string };

const secondsText = (ms: number) => `${Math.round(ms / 1000)} s`;

/** Runs `command` (its first element is the program) with its output captured and a progress line on `out`.
 * On failure the captured output goes to `err` after the line saying so. */
export function buildQuietly(
  label: string,
  command: readonly string[],
  { out, err, cwd, tickMs = 1000 }: { out: Terminal; err: Terminal; cwd?: string; tickMs?: number }
): Promise<BuildResult> {
  const started = Date.now();
  const tty = out.isTTY === true;
  out.write(tty ? label : `${label}\n`);
  // On a terminal the line is rewritten in place with the time so far, so it is visibly alive.
  const ticker = tty
    ? setInterval(() => out.write(`\r${label} ${secondsText(Date.now() - started)}`), tickMs)
    : undefined;

  let output = '';
  const child = spawn(command[0]!, command.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.setEncoding('utf8').on('data', (t: string) => (output += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (output += t));

  // Stopping `npm start` while it builds stops the build too: a terminal's Ctrl+C reaches the build anyway, a
  // service manager's SIGTERM only us, and a signal we listen to no longer ends the process by itself.
  const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
  const onSignal = (signal: keyof typeof codes) => {
    child.kill('SIGTERM');
    process.exit(codes[signal]);
  };
  for (const s of Object.keys(codes) as (keyof typeof codes)[]) process.on(s, onSignal);

  return new Promise((resolve) => {
    let finished = false;
    const finish = (ok: boolean, why: string) => {
      if (finished) return; // 'error' may be followed by 'close'
      finished = true;
      clearInterval(ticker);
      for (const s of Object.keys(codes)) process.removeListener(s, onSignal);
      const ms = Date.now() - started;
      if (ok) out.write(tty ? `\r${label} done in ${secondsText(ms)}.\n` : `Built in ${secondsText(ms)}.\n`);
      else {
        if (tty) out.write('\n');
        err.write(
          `The build failed (${why}). What it printed:\n${output}${output.endsWith('\n') ? '' : '\n'}`
        );
      }
      resolve({ ok, ms, output });
    };
    child.once('error', (e) => finish(false, e.message));
    child.once('close', (code, signal) =>
      finish(code === 0, signal ? `stopped by ${signal}` : `exit code ${code}`)
    );
  });
}
