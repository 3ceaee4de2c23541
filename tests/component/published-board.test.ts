// A published dashboard's grid with filters, in jsdom: filter cards show the published controls at the URL's
// values, a URL value that is not allowed is refused beside its filter, a change rewrites the URL (only the
// values that differ from the dashboard's own) and re-renders the cards that follow that input, here a text card
// (which needs no SQL engine), while cards that do not follow it keep their snapshot. Cards the server computed
// for the URL's values (the page's `rendered`) are shown as they came and not recomputed on load.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { InputConfigSchema } from '$cells/input/config';
import type { RenderedCards } from '$cells/card-content';
import type { Interactive, PublishedInput } from '$cells/interactive';
import type { PublishedItem } from '$cells/published';
import { renderMarkdownLoaded } from '$lib/markdown/render';
import PublishedBoard from '$lib/components/published/PublishedBoard.svelte';

function publishedInput(
  name: string,
  config: Record<string, unknown>,
  initial: unknown,
  choices: string[] = []
) {
  const { value: _v, default: _d, ...rest } = InputConfigSchema.parse(config);
  return { cellId: `in-${name}`, name, config: rest, choices, initial } satisfies PublishedInput;
}

const region = publishedInput('region', { widget: 'dropdown', label: 'Region' }, 'West', [
  'West',
  'East',
  '<img src=x onerror=alert(1)>'
]);
const flag = publishedInput('flag', { widget: 'checkbox', label: 'Only big' }, false);

const box = { x: 0, w: 6, h: 2 };
const ITEMS: PublishedItem[] = [
  { ...box, y: 0, cellId: region.cellId, view: 'input', name: 'region', label: 'region' },
  { ...box, y: 0, x: 6, cellId: flag.cellId, view: 'input', name: 'flag', label: 'flag' },
  { ...box, y: 2, cellId: 'text-1', view: 'text', name: '', html: '<p>Sales in West</p>' },
  { ...box, y: 2, x: 6, cellId: 'text-2', view: 'text', name: '', html: '<p>Flag is no</p>' },
  {
    ...box,
    y: 4,
    cellId: 'kpi',
    view: 'number',
    name: 'total',
    sql: null,
    label: 'total',
    value: '1,234',
    caption: ''
  }
];

const INTERACTIVE: Interactive = {
  inputs: [region, flag],
  tables: [],
  cells: [],
  cards: [
    { cellId: 'text-1', inputs: ['region'], markdown: 'Sales in **{{region}}**' },
    { cellId: 'text-2', inputs: ['flag'], markdown: 'Flag is {{flag}}' }
  ],
  frozen: [{ cellId: 'kpi', reason: 'its data is too large to publish.' }]
};

// jsdom has no matchMedia; the grid asks whether the screen is narrow (it is not, here).
window.matchMedia ??= (query: string) =>
  ({
    matches: false,
    media: query,
    onchange: null,
    addEventListener: () => {},
    removeEventListener: () => {},
    addListener: () => {},
    removeListener: () => {},
    dispatchEvent: () => false
  }) as MediaQueryList;

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

function show(search: string, rendered: RenderedCards | null = null) {
  const target = document.createElement('div');
  document.body.append(target);
  const urls: URL[] = [];
  const url = new URL(`http://sheaf.test/d/abc${search}`);
  const component = mount(PublishedBoard, {
    target,
    props: {
      slug: 'abc',
      items: ITEMS,
      interactive: INTERACTIVE,
      snapshotId: 'snap1',
      url,
      onurl: (u: URL) => urls.push(u),
      rendered
    }
  });
  flushSync();
  cleanup = () => {
    unmount(component);
    target.remove();
  };
  return { target, urls };
}

const card = (target: HTMLElement, text: string) =>
  [...target.querySelectorAll<HTMLElement>('[data-testid="card-body"]')].find((c) =>
    c.textContent?.includes(text)
  );

async function settled(target: HTMLElement) {
  await renderMarkdownLoaded('');
  for (let i = 0; i < 50 && target.querySelector('[data-state="updating"]'); i++)
    await new Promise((r) => setTimeout(r, 10));
  flushSync();
}

describe('a published dashboard with filters', () => {
  it('shows the snapshot and the published controls at the initial values', () => {
    const { target, urls } = show('');
    const select = target.querySelector<HTMLSelectElement>('select')!;
    expect(select.selectedOptions[0]?.textContent).toBe('West');
    expect(card(target, 'Sales in West')?.dataset.state).toBe('snapshot');
    expect(target.querySelector('[data-testid="filter-refused"]')).toBeNull();
    expect(target.querySelector('[data-testid="card-frozen"]')?.textContent).toBe(
      'Doesn’t follow the filters: its data is too large to publish.'
    );
    expect(urls).toEqual([]);
  });

  it('follows a change: the URL holds it, the card that follows the input re-renders, the others stay', async () => {
    const { target, urls } = show('?svg=0');
    const select = target.querySelector<HTMLSelectElement>('select')!;
    select.value = '1'; // East
    select.dispatchEvent(new Event('change', { bubbles: true }));
    flushSync();
    expect(urls.map((u) => u.search)).toEqual(['?svg=0&region=East']);
    await settled(target);
    const sales = card(target, 'Sales in');
    expect(sales?.dataset.state).toBe('live');
    expect(sales?.querySelector('strong')?.textContent).toBe('East');
    expect(card(target, 'Flag is')?.dataset.state).toBe('snapshot');
    expect(card(target, 'Flag is')?.textContent).toContain('Flag is no');
  });

  it('starts from the URL’s values, and refuses one that is not allowed beside its filter', async () => {
    const { target } = show('?region=Mars&flag=true');
    const refused = target.querySelectorAll('[data-testid="filter-refused"]');
    expect(refused).toHaveLength(1);
    expect(refused[0]?.textContent).toBe(
      'Region: "Mars" is not one of the choices. Showing the dashboard’s own value instead.'
    );
    expect(target.querySelector<HTMLSelectElement>('select')!.selectedOptions[0]?.textContent).toBe('West');
    expect(target.querySelector<HTMLInputElement>('input[type="checkbox"]')!.checked).toBe(true);
    await settled(target);
    expect(card(target, 'Flag is')?.textContent).toContain('Flag is yes');
    expect(card(target, 'Sales in')?.dataset.state).toBe('snapshot');
  });

  it('shows the cards the server computed for the URL’s values, without recomputing them', async () => {
    const server = { view: 'text' as const, html: '<p>Server says East</p>' };
    const { target } = show('?region=East', {
      values: { region: 'East', flag: false },
      cards: { 'text-1': server }
    });
    expect(card(target, 'Server says East')?.dataset.state).toBe('live');
    await settled(target);
    // The browser would have written "Sales in East": it did not recompute.
    expect(card(target, 'Server says East')?.dataset.state).toBe('live');
    expect(card(target, 'Sales in')).toBeUndefined();
    expect(card(target, 'Flag is no')?.dataset.state).toBe('snapshot');
  });

  it('recomputes when the server’s cards are for other values than the URL’s', async () => {
    const { target } = show('?region=East', {
      values: { region: 'East', flag: true },
      cards: { 'text-1': { view: 'text', html: '<p>Server says East</p>' } }
    });
    await settled(target);
    expect(card(target, 'Server says')).toBeUndefined();
    expect(card(target, 'Sales in')?.querySelector('strong')?.textContent).toBe('East');
  });

  it('shows a value in text as text: markup in a choice is escaped', async () => {
    const { target } = show('');
    const select = target.querySelector<HTMLSelectElement>('select')!;
    select.value = '2';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    flushSync();
    await settled(target);
    const sales = card(target, 'Sales in')!;
    expect(sales.querySelector('img')).toBeNull();
    expect(sales.querySelector('strong')?.textContent).toBe('<img src=x onerror=alert(1)>');
  });

  it('coalesces quick changes: only the latest value is painted, never the one it superseded', async () => {
    const { target, urls } = show('');
    const seen: string[] = [];
    const watch = new MutationObserver(() => {
      const strong = card(target, 'Sales in')?.querySelector('strong')?.textContent;
      if (strong) seen.push(strong);
    });
    watch.observe(target, { subtree: true, childList: true, characterData: true });
    const select = target.querySelector<HTMLSelectElement>('select')!;
    for (const choice of ['1', '2']) {
      select.value = choice; // East, then at once the third choice
      select.dispatchEvent(new Event('change', { bubbles: true }));
    }
    flushSync();
    await settled(target);
    watch.disconnect();
    expect(card(target, 'Sales in')?.querySelector('strong')?.textContent).toBe(
      '<img src=x onerror=alert(1)>'
    );
    expect(seen).not.toContain('East');
    expect(urls.map((u) => decodeURIComponent(u.searchParams.get('region') ?? ''))).toEqual([
      'East',
      '<img src=x onerror=alert(1)>'
    ]);
  });
});
