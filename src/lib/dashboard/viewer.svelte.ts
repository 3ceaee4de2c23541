// A published dashboard as one viewer sees it: their filter values (from the URL, then their changes), and per
// card what it shows — the server's snapshot while the card's inputs hold their initial values, else the card
// recomputed for this viewer (recompute.ts), all of them at once. Changes coalesce: one round of updates runs at a
// time, a newer change makes the running one stop at its next step, and nothing a stale round computed is painted.
// A card being updated keeps its previous picture and says so; cards whose inputs did not change are not touched.
// Cards whose results are ready are painted together, once per frame (frame-commits.ts), not each as its result
// arrives: the page then lays out and paints once for several cards.
// Cards the server already computed for the URL's values (the page's `rendered`) show as such and are not
// recomputed on load.
import { SvelteMap } from 'svelte/reactivity';
import { checkAllowed } from '$cells/input/allowed';
import type { RenderedCards } from '$cells/card-content';
import type { WidgetValue } from '$cells/input/value';
import type { Interactive, LiveCard, PublishedInput } from '$cells/interactive';
import type { PublishedItem } from '$cells/published';
import { FrameCommits } from './frame-commits';
import { Recompute, Superseded, type LiveContent } from './recompute';
import { initialValues, readUrl, sameValue, type Values } from './url-values';
import { viewerMessage } from './viewer-error';

export type CardView = {
  /** What the card shows: the snapshot, its recomputed content, or why it could not be recomputed. */
  shows: 'snapshot' | 'live' | 'error';
  /** A newer picture is being computed; the one shown stays until it is ready. */
  updating: boolean;
  content: LiveContent | null;
  error: string | null;
};

const SNAPSHOT: CardView = { shows: 'snapshot', updating: false, content: null, error: null };

export class DashboardViewer {
  /** The viewer's values, by input name (as SQL names it). */
  values = $state<Values>({});
  /** Why a value from the URL or a chart click was refused, by input name (cleared once the viewer picks another). */
  refused = $state<Record<string, string>>({});
  /** Cards that follow inputs, by cell id; a card not here shows its snapshot. */
  readonly cards = new SvelteMap<string, CardView>();

  private readonly initial: Values;
  private readonly byLower: Map<string, PublishedInput>;
  private readonly items: Map<string, PublishedItem>;
  private readonly frozen: Set<string>;
  // Bookkeeping of the rounds, never shown: not state.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly painted = new Map<string, string>(); // cell id → the values (of its inputs) it shows
  private readonly recompute: Recompute;
  private readonly commits = new FrameCommits();
  private generation = 0;
  private round: Promise<void> | null = null;
  private destroyed = false;

  constructor(
    private readonly interactive: Interactive,
    items: readonly PublishedItem[],
    slug: string,
    snapshotId: string,
    params: URLSearchParams,
    rendered: RenderedCards | null = null
  ) {
    this.initial = initialValues(interactive.inputs);
    // Lookups over the published dashboard, which never changes while the page shows it: not state.
    /* eslint-disable svelte/prefer-svelte-reactivity */
    this.byLower = new Map(interactive.inputs.map((i) => [i.name.toLowerCase(), i]));
    this.items = new Map(items.map((i) => [i.cellId, i]));
    this.frozen = new Set(interactive.frozen.map((f) => f.cellId));
    /* eslint-enable svelte/prefer-svelte-reactivity */
    const fromUrl = readUrl(interactive.inputs, params);
    this.values = fromUrl.values;
    this.refused = fromUrl.refused;
    this.recompute = new Recompute(interactive, slug, snapshotId);
    if (rendered) this.adopt(rendered);
  }

  /** The server's cards for the URL's values, painted as if this browser had computed them. */
  private adopt(rendered: RenderedCards): void {
    const values = this.values;
    const same = this.interactive.inputs.every((i) =>
      sameValue(values[i.name] ?? null, rendered.values[i.name] ?? null)
    );
    if (!same) return; // not what this page reads from its URL: recompute as usual
    for (const card of this.interactive.cards) {
      const content = rendered.cards[card.cellId];
      if (!content || this.frozen.has(card.cellId) || !this.items.has(card.cellId)) continue;
      this.cards.set(card.cellId, { shows: 'live', updating: false, content, error: null });
      this.painted.set(card.cellId, this.keyOf(card, values));
    }
  }

  /** The published input behind a filter card. */
  inputOf(cellId: string): PublishedInput | undefined {
    return this.interactive.inputs.find((i) => i.cellId === cellId);
  }

  /** An input's value as published: where clearing a chart's pick takes it back to. */
  initialOf(name: string): WidgetValue | null {
    return this.initial[name] ?? null;
  }

  /** Why a card does not follow the filters, when the publisher's plan left it frozen. */
  frozenReason(cellId: string): string | null {
    return this.interactive.frozen.find((f) => f.cellId === cellId)?.reason ?? null;
  }

  /** Whether any value differs from the initial ones (the page then recomputes on load). */
  get changed(): boolean {
    return this.interactive.inputs.some(
      (i) => !sameValue(this.values[i.name] ?? null, this.initial[i.name] ?? null)
    );
  }

  /**
   * The viewer picks `raw` for input `name`: checked as the server would (allowed values only); the reason it is
   * refused, or null once the cards start following it.
   */
  set(name: string, raw: unknown): string | null {
    const input = this.interactive.inputs.find((i) => i.name === name);
    if (!input) return 'This filter is not on the dashboard.';
    const checked = checkAllowed(input, raw);
    if (!checked.ok) return checked.message;
    if (sameValue(checked.value, this.values[name] ?? null)) return null;
    this.values = { ...this.values, [name]: checked.value };
    if (this.refused[name]) {
      const { [name]: _gone, ...rest } = this.refused;
      this.refused = rest;
    }
    this.update();
    return null;
  }

  /** The viewer is about to choose a value: what computing needs starts now (the engine, once). */
  warm(): void {
    if (this.destroyed) return;
    const sources: string[] = [];
    for (const card of this.interactive.cards) {
      const item = this.items.get(card.cellId);
      if (!item || this.frozen.has(card.cellId) || item.view === 'text') continue;
      sources.push(item.view === 'chart' ? (card.chart?.source ?? item.name) : item.name);
    }
    this.recompute.warm(sources);
  }

  /** Brings every card in line with the current values (called on load, and after each change). */
  update(): void {
    this.generation++;
    this.recompute.cancel();
    // What needs no computing shows at once, even while an older round is still finishing its step.
    this.triage($state.snapshot(this.values) as Values);
    this.round ??= this.rounds().finally(() => (this.round = null));
  }

  /**
   * Settles the cards that need no computing for `values` (already showing them, or back at the published values:
   * the snapshot), marks the others as updating, and returns those.
   */
  private triage(values: Values): LiveCard[] {
    const todo: LiveCard[] = [];
    for (const card of this.interactive.cards) {
      if (this.frozen.has(card.cellId) || !this.items.has(card.cellId)) continue;
      const key = this.keyOf(card, values);
      const view = this.cards.get(card.cellId) ?? SNAPSHOT;
      if (this.painted.get(card.cellId) === key) {
        if (view.updating) this.cards.set(card.cellId, { ...view, updating: false });
        continue;
      }
      if (this.atInitial(card, values)) {
        // The server computed exactly this: no engine needed.
        this.cards.set(card.cellId, SNAPSHOT);
        this.painted.set(card.cellId, key);
        continue;
      }
      if (!view.updating) this.cards.set(card.cellId, { ...view, updating: true });
      todo.push(card);
    }
    return todo;
  }

  private async rounds(): Promise<void> {
    while (!this.destroyed) {
      const generation = this.generation;
      const current = () => generation === this.generation && !this.destroyed;
      const values = $state.snapshot(this.values) as Values;
      this.recompute.forgetFailures();
      // Side by side: while one card's result is drawn on this thread, DuckDB's worker is already busy with the
      // next card's query instead of waiting for this thread to ask for it.
      await Promise.all(
        this.triage(values).map((card) => this.paint(card, values, this.keyOf(card, values), current))
      );
      if (current()) return;
    }
  }

  private async paint(card: LiveCard, values: Values, key: string, current: () => boolean) {
    let next: CardView;
    try {
      const content = await this.recompute.card(card, this.items.get(card.cellId)!, values, current);
      next = { shows: 'live', updating: false, content, error: null };
    } catch (e) {
      if (e instanceof Superseded) return;
      const before = this.cards.get(card.cellId) ?? SNAPSHOT;
      next = { ...before, shows: 'error', updating: false, error: viewerMessage(e) };
    }
    if (!current()) return; // newer values are on their way: this picture is already stale
    await this.commits.next();
    if (!current()) return;
    this.cards.set(card.cellId, next);
    this.painted.set(card.cellId, key);
  }

  /** The card's inputs' values, as one comparable text. */
  private keyOf(card: LiveCard, values: Values): string {
    return JSON.stringify(card.inputs.map((n) => this.valueOf(n, values)));
  }

  private valueOf(lowerName: string, values: Values): WidgetValue | null {
    const input = this.byLower.get(lowerName);
    return input ? (values[input.name] ?? null) : null;
  }

  private atInitial(card: LiveCard, values: Values): boolean {
    return card.inputs.every((n) => {
      const input = this.byLower.get(n);
      return !input || sameValue(values[input.name] ?? null, this.initial[input.name] ?? null);
    });
  }

  destroy(): void {
    this.destroyed = true;
    this.commits.destroy();
    this.generation++;
    this.recompute.cancel();
    void this.recompute.destroy();
  }
}
