// Attaches cross-filtering to a drawn chart (a notebook's chart cell, a dashboard's card): a click on a mark, or
// Escape while the chart has focus, works out the input's new value (cells/chart/cross-filter.ts) and hands it to
// `onChange`, which decides where it goes (the shared document, a viewer's own values, the dashboard's URL). The
// chart's dimming follows `update(value)` through a Vega signal, so it shows the input's value wherever that came
// from (this click, the input's own control, a co-editor, a reload).
import {
  clearedValue,
  PICKED_SIGNAL,
  pickedValues,
  valueOnClick,
  type CrossFilterSpec,
  type CrossFilterTarget,
  type CrossFilterWidget
} from '$cells/chart/cross-filter';
import type { WidgetValue } from '$cells/input/value';
import type { DrawnChart } from './render';

export type CrossFilterOptions = {
  widget: CrossFilterWidget;
  /** The input's value when the chart was drawn. */
  value: WidgetValue | null;
  /** Gets the input's new value. The chart's dimming changes when `update` is called, not here. */
  onChange: (next: WidgetValue | null) => void;
  /** The input's and the field's names, as people read them, for the chart's accessible label. */
  inputLabel: string;
  fieldLabel: string;
};

/** What a chart component is given to cross-filter: the target, the input's widget and value now, and where a
 * new value goes. */
export type CrossFilterBinding = {
  target: CrossFilterTarget;
  widget: CrossFilterWidget;
  value: WidgetValue | null;
  inputLabel: string;
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

/**
 * Makes `el` (the element the chart is drawn in) focusable and labelled, and wires clicks and Escape. `prepared`
 * is what withCrossFilter returned for the drawn spec.
 */
export function attachCrossFilter(
  el: HTMLElement,
  chart: DrawnChart,
  prepared: CrossFilterSpec,
  opts: CrossFilterOptions
): CrossFilterHandle {
  let value = opts.value;
  let shown = JSON.stringify(pickedValues(value));
  const field = prepared.field;
  const view = chart.view;

  const onClick = (_event: unknown, item: Item) => {
    if (!field || !item || NOT_A_MARK.test(item.mark?.role ?? '')) return;
    const datum = item.datum;
    if (typeof datum !== 'object' || datum === null || !(field in datum)) return;
    const next = valueOnClick(opts.widget, value, (datum as Record<string, unknown>)[field]);
    if (next !== undefined) opts.onChange(next);
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || pickedValues(value).length === 0) return;
    // The chart's own Escape: the cell around it must not also take it (leaving the cell's editing).
    e.stopPropagation();
    e.preventDefault();
    opts.onChange(clearedValue(opts.widget));
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
    `Filter chart: clicking a mark sets ${opts.inputLabel} to its ${opts.fieldLabel}; clicking it again, or ` +
      `pressing Escape here, clears ${opts.inputLabel}.`
  );
  el.setAttribute('aria-keyshortcuts', 'Escape');
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
