// The notebook's dashboard as reactive state for the layout editor: the arranged layout, the cells in order and
// their names. Follows the shared document, so a co-editor's move, a renamed result or a text's new first line
// shows at once; state changes only when something shown did, so typing elsewhere redraws nothing.
import type * as Y from 'yjs';
import { orderedCells, parts, type Cell } from '$cells/document';
import { arrange, readLayout, type LayoutItem } from '$cells/layout';
import { cellLabel } from './cell-label';

export class DashboardDoc {
  /** Arranged: no overlaps, in reading order. */
  items = $state.raw<LayoutItem[]>([]);
  cells = $state.raw<Cell[]>([]);
  /** Cell id → its name in the editor. */
  labels = $state.raw<Record<string, string>>({});
  private shown = '';

  constructor(private readonly doc: Y.Doc) {
    const p = parts(doc);
    p.layout.observeDeep(this.refresh);
    p.cells.observeDeep(this.refresh);
    p.order.observe(this.refresh);
    this.refresh();
  }

  private readonly refresh = () => {
    const cells = orderedCells(this.doc);
    const items = arrange(readLayout(this.doc));
    const labels = Object.fromEntries(cells.map((c) => [c.id, cellLabel(c)]));
    const shown = JSON.stringify([items, cells.map((c) => [c.id, c.kind, c.name]), labels]);
    if (shown === this.shown) return;
    this.shown = shown;
    this.items = items;
    this.cells = cells;
    this.labels = labels;
  };

  destroy() {
    const p = parts(this.doc);
    p.layout.unobserveDeep(this.refresh);
    p.cells.unobserveDeep(this.refresh);
    p.order.unobserve(this.refresh);
  }
}
