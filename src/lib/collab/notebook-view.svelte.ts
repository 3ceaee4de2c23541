// A reactive outline of the document for the UI: the title and the cells in order. Y types themselves stay out
// of Svelte's state (proxying them would break them); components bind to them directly.
import type * as Y from 'yjs';
import { getTitle, orderedCells, parts, type Cell } from '$cells/document';

export class NotebookView {
  title = $state('');
  cells = $state.raw<Cell[]>([]);
  private readonly refresh = () => {
    this.title = getTitle(this.doc);
    this.cells = orderedCells(this.doc);
  };

  constructor(private readonly doc: Y.Doc) {
    const p = parts(doc);
    p.meta.observe(this.refresh);
    p.order.observe(this.refresh);
    // kind and name changes live one level down, in each cell's map
    p.cells.observeDeep(this.onCells);
    this.refresh();
  }

  private readonly onCells = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
    // Typing inside a cell's source does not change the outline; only keys of the cell maps matter.
    if (events.some((e) => e.target === parts(this.doc).cells || e.path.length === 1)) this.refresh();
  };

  destroy() {
    const p = parts(this.doc);
    p.meta.unobserve(this.refresh);
    p.order.unobserve(this.refresh);
    p.cells.unobserveDeep(this.onCells);
  }
}
