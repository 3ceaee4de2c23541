// How a dashboard card draws its chart without blanking what it shows (LiveChart, PublishedChart): Vega measures
// the card's width from the element it draws in, so that element is added to the card's host, hidden (the host's
// `.drawing` rule) over the picture already there, and swapped in only when the drawing is done. A drawing that
// fails leaves the previous picture.
import type { VlSpec } from '$cells/chart/spec';
import { drawCrossFiltered, type CrossFilterBinding, type CrossFilterHandle } from './cross-filter';
import type { DrawnChart } from './render';

export type HiddenDrawing = {
  chart: DrawnChart;
  crossFilter: CrossFilterHandle | null;
  /** Dims the marks for the input's value now (it may have changed while the chart was drawn) and swaps the
   * drawing in for everything the host held. */
  show(): void;
  /** For a drawing no longer wanted (a newer one was asked for, or the card is gone). */
  discard(): void;
};

/**
 * Draws `spec` (its rows in it: withData) hidden in `host`. `crossFilter` reads the card's binding as it is when
 * called: the drawing starts with its value, and a click reaches the binding of that moment, not the first one.
 */
export async function drawHidden(
  host: HTMLElement,
  spec: VlSpec,
  crossFilter: () => CrossFilterBinding | null
): Promise<HiddenDrawing> {
  const first = crossFilter();
  const binding: CrossFilterBinding | null = first && {
    ...first,
    onChange: (next) => crossFilter()?.onChange(next)
  };
  const el = document.createElement('div');
  el.className = 'drawing';
  host.appendChild(el);
  let made: Awaited<ReturnType<typeof drawCrossFiltered>>;
  try {
    made = await drawCrossFiltered(el, spec, binding);
  } catch (e) {
    el.remove();
    throw e;
  }
  const { chart, crossFilter: handle } = made;
  return {
    chart,
    crossFilter: handle,
    show() {
      const now = crossFilter();
      if (now) handle?.update(now.value);
      el.className = '';
      host.replaceChildren(el);
    },
    discard() {
      handle?.detach();
      chart.finalize();
      el.remove();
    }
  };
}
