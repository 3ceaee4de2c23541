// bench:filter's side in the viewer's page: an init script that times each change from the dropdown's input event to
// every chart repainted (see bench/filter.ts), opening a viewer, and making one change.
import type { Browser, Page } from '@playwright/test';
import type { ChangeTrace } from './filter-breakdown';
import { CHANGE_MARK, PAINTED_MARK } from './trace-threads';

// The page's side of the timing, as a string (tsx would wrap named functions in a helper the page lacks).
const instrument = (charts: number) => `
  window.__f = { armed: false };
  const f = window.__f;
  window.__sheafTrace = { phases: {}, tasks: {} };
  const started = (e) => {
    if (f.armed && f.changed === undefined && e.target instanceof HTMLSelectElement) {
      f.changed = performance.now();
      // Marks for BENCH_TRACE (bench/trace-threads.ts), on the page that computes every change only.
      if (window.__sheafNoResultCache) performance.mark('${CHANGE_MARK}');
    }
  };
  document.addEventListener('input', started, true);
  document.addEventListener('change', started, true);
  const norm = (s) => (s ?? '').replace(/,/g, '');
  f.labels = () => [...document.querySelectorAll('[data-testid="live-chart"] svg [aria-label]')].map((n) => norm(n.getAttribute('aria-label')));
  f.arm = (want) => {
    f.armed = true; f.want = want; f.changed = undefined; f.done = new Set(); f.touched = new Set(); f.all = undefined;
    f.painted = undefined; f.failed = 0; f.onPainted = undefined;
    window.__sheafTrace = { phases: {}, tasks: {} };
  };
  const check = (mutations) => {
    if (!f.armed || f.changed === undefined || f.all !== undefined) return;
    for (const m of mutations) {
      const t = m.target;
      if (!(t instanceof Element)) continue;
      // Redrawn in place (new rows into the drawn view): Vega rewrote its marks (labels, or the marks themselves).
      if (t.closest('[data-testid="live-chart"] svg')) {
        const body = t.closest('[data-testid="card-body"]');
        if (body) f.touched.add(body);
        continue;
      }
      if (m.type !== 'childList' || !t.classList.contains('canvas')) continue;
      if (!t.closest('[data-testid="live-chart"]')) continue;
      // Or drawn anew: LiveChart swaps a finished drawing in (no class "drawing" left); it first adds it hidden.
      if (![...m.addedNodes].some((n) => n instanceof Element && !n.classList.contains('drawing'))) continue;
      const body = t.closest('[data-testid="card-body"]');
      if (body) f.touched.add(body);
    }
    for (const body of f.touched) if (body.getAttribute('data-state') === 'live') f.done.add(body);
    if (document.querySelector('[data-testid="card-body"][data-state="updating"]')) return;
    // A card that failed (it says so in words for viewers) ends its wait too; the change is counted as failed.
    const failed = document.querySelectorAll('[data-testid="card-body"][data-state="error"]').length;
    if (f.done.size + failed < ${charts}) return;
    if (!failed) {
      const shown = new Set(f.labels());
      for (const label of f.want) if (!shown.has(label)) return;
    }
    f.failed = failed;
    f.all = performance.now();
    requestAnimationFrame(() => {
      f.painted = performance.now();
      if (window.__sheafNoResultCache) performance.mark('${PAINTED_MARK}');
      f.onPainted?.();
    });
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-state', 'aria-label'] });
`;

type Trace = ChangeTrace;
export type Viewer = {
  page: Page;
  name: string;
  times: number[];
  first: number;
  traces: Trace[];
  firstTrace?: Trace;
};

/**
 * Opens the dashboard logged out, in a context of its own, once every chart is live. `noResultCache`: the page keeps no
 * results of earlier values (src/lib/dashboard/result-cache.ts) and uses no precomputed answers
 * (precomputed-answers.ts), so every change is computed in its DuckDB-WASM.
 */
export async function openViewer(
  browser: Browser,
  url: string,
  name: string,
  charts: number,
  noResultCache = false
): Promise<Viewer> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1800 } });
  const page = await context.newPage();
  await page.addInitScript(instrument(charts));
  if (noResultCache)
    await page.addInitScript('window.__sheafNoResultCache = true; window.__sheafNoPrecomputed = true;');
  // Why a card failed is only told to the console (viewers get a safe message): print the first of each.
  const told = new Set<string>();
  page.on('console', (m) => {
    const text = m.text();
    if (m.type() === 'warning' && /^(Recomputing|TMP)/.test(text) && !told.has(text)) {
      told.add(text);
      if (told.size <= 3) console.error(`  ${name}: ${text}`);
    }
  });
  await page.goto(url);
  await page.locator('html[data-hydrated="true"]').waitFor({ timeout: 60_000 });
  // The server's pictures redrawn by Vega from their rows first: nothing of the load is left to overlap a change.
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid="published-chart"][data-state="live"]').length >= n,
    charts,
    { timeout: 120_000 }
  );
  return { page, name, times: [], first: NaN, traces: [] };
}

/** Change → all charts repainted, in ms; NaN when a card failed instead (its words are printed). */
export async function change(v: Viewer, value: string, want: string[]): Promise<number> {
  await v.page.evaluate((w) => (window as unknown as { __f: { arm(w: string[]): void } }).__f.arm(w), want);
  await v.page.locator('[data-testid="dashboard-filter"] select').selectOption({ label: value });
  try {
    // Told by the page when it painted, rather than polled: polling runs on the main thread being measured.
    await v.page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const f = (window as unknown as { __f: { painted?: number; onPainted?: () => void } }).__f;
          if (f.painted) return resolve();
          f.onPainted = resolve;
          setTimeout(() => reject(new Error('not painted within 120 s')), 120_000);
        })
    );
  } catch (e) {
    const state = await v.page.evaluate(() => {
      const f = (window as unknown as { __f: { done: Set<unknown>; labels(): string[] } }).__f;
      return {
        done: f.done.size,
        labels: f.labels().filter((l) => l.startsWith('region:')),
        states: [...document.querySelectorAll('[data-testid="card-body"]')].map((b) =>
          b.getAttribute('data-state')
        ),
        errors: [...document.querySelectorAll('[data-testid="card-error"]')].map((b) => b.textContent)
      };
    });
    console.error(`  ${v.name}, ${value}: wanted ${want.join(' | ')}; the page has ${JSON.stringify(state)}`);
    throw e;
  }
  const m = await v.page.evaluate(() => {
    const w = window as unknown as {
      __f: { changed?: number; all: number; painted: number; failed: number };
      __sheafTrace: unknown;
    };
    const f = w.__f;
    const errors = [...document.querySelectorAll('[data-testid="card-error"]')].map((b) => b.textContent);
    return {
      changed: f.changed,
      all: f.all,
      painted: f.painted,
      failed: f.failed,
      errors,
      trace: w.__sheafTrace
    };
  });
  if (m.changed === undefined) throw new Error('the dropdown sent no input event');
  v.traces.push({ ...(m.trace as Trace), changed: m.changed, all: m.all, painted: m.painted });
  if (m.failed) {
    console.error(`  ${v.name}, ${value}: ${m.failed} card(s) failed: ${m.errors.join(' | ')}`);
    return NaN;
  }
  return m.painted - m.changed;
}
