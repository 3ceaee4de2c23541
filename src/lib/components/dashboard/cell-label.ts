// What a cell is called in the dashboard editor (the "Add to dashboard" list, the cards' names): a result by its
// name, a chart by its title or what it charts, a text by its first line.
import { readChartConfig } from '$cells/chart/config';
import type { Cell } from '$cells/document';
import type { ItemView } from '$cells/layout';

const MAX = 40;

/** The first line of markdown with text in it, without its markup (#, >, list marks, *, _, `), kept short. */
export function firstLine(markdown: string): string {
  const line = markdown
    .split('\n')
    .map((l) =>
      l
        .replace(/^\s*([#>]+|[-*+]\s|\d+\.\s)\s*/, '')
        .replace(/[*_`]/g, '')
        .trim()
    )
    .find((l) => l !== '');
  if (!line) return '';
  return line.length > MAX ? `${line.slice(0, MAX - 1)}…` : line;
}

export function cellLabel(cell: Cell): string {
  if (cell.kind === 'sql') return cell.name || 'Query';
  if (cell.kind === 'chart') {
    const config = readChartConfig(cell.config.toJSON());
    return config.title || (config.source ? `Chart of ${config.source}` : 'Chart');
  }
  if (cell.kind === 'text') return firstLine(cell.source.toString()) || 'Empty text';
  return cell.kind;
}

/** A card's name: a result says how it shows, since it could show either way. */
export const cardLabel = (label: string, view: ItemView): string =>
  view === 'table' || view === 'number' ? `${label} (${view})` : label;
