// Attaches cross-filtering to a drawn chart (a notebook's chart cell, a dashboard's card): a click on a mark, or
// the arrow keys and Escape while the chart has focus, work out the input's new value (cells/chart/cross-filter.ts)
// and hand it to `onChange`, which decides where it goes (the shared document, a viewer's own values, the
// dashboard's URL). The chart's dimming follows `update(value)` through a Vega signal, so it shows the input's
// value wherever that came from (this click, the input's own control, a co-editor, a reload).
import {
  clearedValue,
  PICKED_SIGNAL,
  pickedValues,
  steppedValue,
  valueOf,
  valueOnClick,
  withCrossFilter,
  type CrossFilterSpec,
  type CrossFilterTarget,
  type CrossFilterWidget
} from '$cells/chart/cross-filter';
import type { VlSpec } from '$cells/chart/spec';
import type { WidgetValue } from '$cells/input/value';
import { drawChart, type DrawnChart } from './render';

/** What a chart is given to cross-filter: the target (cells/chart/cross-filter.ts), the input's widget and value
 * now, its name as people read it, and where a new value goes. */
export type CrossFilterBinding = {
  target: CrossFilterTarget;
  widget: CrossFilterWidget;
  value: WidgetValue | null;
  inputLabel: string;
  /** Gets the input's new value. The chart's dimming changes when `update` is called, not here. */
  onChange: (next: WidgetValue | null) => void;
};

export type CrossFilterHandle = {
  /** The input's value changed (by a click or anything else): re-dim the marks, and remember it for clicks. */
  update(value: WidgetValue | null): void;
  detach(): void;
};

/** Parts of a chart that are not its marks: clicking an axis label or a legend entry picks nothing. */
const NOT_A_MARK = /axis|legend|title/;

type Item = { datum?: unknown; mark?: { role?: string } } | null | undefined;
type SceneMark = { marktype?: string; role?: string; items?: SceneItem[] };
type SceneItem = { datum?: unknown; bounds?: { x1: number; y1: number }; items?: SceneMark[] };

/** The marks' values of `field`, once each, left to right (then top to bottom) as drawn: what arrow keys step. */
function drawnValues(view: DrawnChart['view'], field: string): unknown[] {
  const found: { value: unknown; x: number; y: number }[] = [];
  const visit = (mark: SceneMark) => {
    for (const item of mark.items ?? []) {
      const datum = item.datum;
      if (
        mark.marktype !== 'group' &&
        !NOT_A_MARK.test(mark.role ?? '') &&
        typeof datum === 'object' &&
        datum
      )
        if (field in datum)
          found.push({
            value: (datum as Record<string, unknown>)[field],
            x: item.bounds?.x1 ?? 0,
            y: item.bounds?.y1 ?? 0
          });
      for (const child of item.items ?? []) visit(child);
    }
  };
  visit((view.scenegraph() as unknown as { root: SceneMark }).root);
  found.sort((a, b) => a.x - b.x || a.y - b.y);
  const seen = new Set<string>();
  return found
    .filter((f) => f.value !== null && f.value !== undefined)
    .filter((f) => !seen.has(String(f.value)) && !!seen.add(String(f.value)))
    .map((f) => f.value);
}

const STEPS: Record<string, 1 | -1> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

/**
 * Draws `spec` (its rows in it: withData) in `el` as drawChart does, dimmed for `binding`'s value and with
 * cross-filtering attached; without a binding, just draws. The caller finalizes the chart and detaches the handle.
 */
export async function drawCrossFiltered(
  el: HTMLElement,
  spec: VlSpec,
  binding: CrossFilterBinding | null,
  renderer?: 'svg' | 'canvas'
): Promise<{ chart: DrawnChart; crossFilter: CrossFilterHandle | null }> {
  const prepared = binding ? withCrossFilter(spec, binding.target, binding.value) : null;
  const chart = await drawChart(el, prepared?.spec ?? spec, renderer);
  return { chart, crossFilter: binding && prepared ? attachCrossFilter(el, chart, prepared, binding) : null };
}

/**
 * Makes `el` (the element the chart is drawn in) focusable and labelled, and wires clicks, arrow keys and Escape.
 * `prepared` is what withCrossFilter returned for the drawn spec.
 */
export function attachCrossFilter(
  el: HTMLElement,
  chart: DrawnChart,
  prepared: CrossFilterSpec,
  opts: CrossFilterBinding
): CrossFilterHandle {
  let value = opts.value;
  let shown = JSON.stringify(pickedValues(value));
  const field = prepared.field;
  const view = chart.view;

  // Remembered at once, so a second key press or click before `update` comes back steps from this one.
  const pick = (next: WidgetValue | null) => {
    value = next;
    opts.onChange(next);
  };
  const onClick = (_event: unknown, item: Item) => {
    if (!field || !item || NOT_A_MARK.test(item.mark?.role ?? '')) return;
    const datum = item.datum;
    if (typeof datum !== 'object' || datum === null || !(field in datum)) return;
    const next = valueOnClick(opts.widget, value, (datum as Record<string, unknown>)[field]);
    if (next !== undefined) pick(next);
  };
  const onKey = (e: KeyboardEvent) => {
    const step = STEPS[e.key];
    if (step && field) {
      // Arrow keys pick the next or previous mark's value, so the chart works without a mouse.
      const next = valueOf(opts.widget, steppedValue(drawnValues(view, field), value, step));
      e.preventDefault();
      if (next !== undefined) pick(next);
      return;
    }
    if (e.key !== 'Escape' || pickedValues(value).length === 0) return;
    // The chart's own Escape: the cell around it must not also take it (leaving the cell's editing).
    e.stopPropagation();
    e.preventDefault();
    pick(clearedValue(opts.widget));
  };

  view.addEventListener('click', onClick as Parameters<typeof view.addEventListener>[1]);
  el.addEventListener('keydown', onKey);
  const previous = {
    role: el.getAttribute('role'),
    tabindex: el.getAttribute('tabindex'),
    label: el.getAttribute('aria-label'),
    keys: el.getAttribute('aria-keyshortcuts')
  };
  el.tabIndex = 0;
  el.setAttribute('role', 'group');
  el.setAttribute(
    'aria-label',
    `Filter chart: clicking a mark, or the arrow keys here, set ${opts.inputLabel} to the mark's ` +
      `${opts.target.field}; clicking it again, or Escape, clears ${opts.inputLabel}.`
  );
  el.setAttribute('aria-keyshortcuts', 'ArrowLeft ArrowRight ArrowUp ArrowDown Escape');
  el.dataset.crossFilter = 'on';

  const restore = (name: string, v: string | null) =>
    v === null ? el.removeAttribute(name) : el.setAttribute(name, v);

  return {
    update(next) {
      value = next;
      const picked = pickedValues(next);
      if (!prepared.dims || JSON.stringify(picked) === shown) return;
      shown = JSON.stringify(picked);
      view.signal(PICKED_SIGNAL, picked);
      void view.runAsync();
    },
    detach() {
      view.removeEventListener('click', onClick as Parameters<typeof view.removeEventListener>[1]);
      el.removeEventListener('keydown', onKey);
      restore('role', previous.role);
      restore('tabindex', previous.tabindex);
      restore('aria-label', previous.label);
      restore('aria-keyshortcuts', previous.keys);
      delete el.dataset.crossFilter;
    }
  };
}
