// `npm start`'s progress line on a terminal: rewritten in place while the build runs, finished with the time, and
// the build's own output only when it fails. (tests/integration/start.test.ts runs the real build, not on a TTY.)
import { describe, expect, it } from 'vitest';
import { buildQuietly, type Terminal } from '../../server/build-quietly';

function terminal(isTTY: boolean): Terminal & { text: () => string } {
  let written = '';
  return { isTTY, write: (t: string) => (written += t), text: () => written };
}

const node = (script: string) => [process.execPath, '-e', script];
const NOISY =
  "console.log('[PLUGIN_TIMINGS] callbacks ran for 12.9s'); console.error('(!) Some chunks are larger')";

describe('buildQuietly', () => {
  it('on a terminal, keeps one line alive while building and hides what a working build prints', async () => {
    const out = terminal(true);
    const err = terminal(true);
    const r = await buildQuietly('Building Sheaf…', node(`${NOISY}; setTimeout(() => {}, 300)`), {
      out,
      err,
      tickMs: 50
    });
    expect(r.ok).toBe(true);
    expect(r.output).toContain('PLUGIN_TIMINGS');
    const text = out.text();
    expect(text).toMatch(/^Building Sheaf…(\rBuilding Sheaf… \d s)+\rBuilding Sheaf… done in \d s\.\n$/);
    expect(err.text()).toBe('');
  });

  it('elsewhere, prints a plain line and the time it took', async () => {
    const out = terminal(false);
    const err = terminal(false);
    const r = await buildQuietly('Building Sheaf…', node(NOISY), { out, err, tickMs: 10 });
    expect(r.ok).toBe(true);
    expect(out.text()).toMatch(/^Building Sheaf…\nBuilt in \d s\.\n$/);
    expect(err.text()).toBe('');
  });

  it('shows everything the build printed when it fails, after ending the progress line', async () => {
    const out = terminal(true);
    const err = terminal(true);
    const r = await buildQuietly(
      'Building Sheaf…',
      node(`${NOISY}; console.error('error: src/x.ts: Unexpected token'); process.exit(2)`),
      { out, err, tickMs: 1000 }
    );
    expect(r.ok).toBe(false);
    expect(out.text()).toBe('Building Sheaf…\n');
    expect(err.text()).toMatch(/^The build failed \(exit code 2\)\. What it printed:\n/);
    expect(err.text()).toContain('error: src/x.ts: Unexpected token\n');
    expect(err.text()).toContain('[PLUGIN_TIMINGS]');
  });

  it('says so when the build cannot be started at all', async () => {
    const err = terminal(false);
    const r = await buildQuietly('Building Sheaf…', ['/nonexistent/node'], { out: terminal(false), err });
    expect(r.ok).toBe(false);
    expect(err.text()).toMatch(/^The build failed \(spawn \/nonexistent\/node ENOENT\)/);
  });
});
