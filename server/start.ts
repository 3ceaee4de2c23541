// `npm start`: builds the app when the build is missing or older than the sources (one progress line; the build's
// own output only if it fails), then serves it.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildQuietly } from './build-quietly';

const INPUTS = [
  'src',
  'cells',
  'server',
  'static',
  'svelte.config.js',
  'vite.config.ts',
  'package-lock.json'
];
const BUILT = 'build/handler.js';

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  let max = 0;
  for (const e of readdirSync(p)) max = Math.max(max, newestMtime(path.join(p, e)));
  return max;
}

const builtAt = existsSync(BUILT) ? statSync(BUILT).mtimeMs : 0;
if (builtAt < Math.max(...INPUTS.map(newestMtime))) {
  const built = await buildQuietly(
    builtAt
      ? 'Sources changed since the last build: rebuilding Sheaf…'
      : 'Building Sheaf (first start, up to a minute)…',
    [process.execPath, 'node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'],
    { out: process.stdout, err: process.stderr }
  );
  if (!built.ok) process.exit(1);
}

process.env.NODE_ENV ??= 'production';
await import('./index');
