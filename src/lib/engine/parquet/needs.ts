// What a query reads of each uploaded file: DuckDB plans it against empty stand-ins of the file tables and its
// plan says, per scan, which columns it projects and which filters it pushed down. Statistics propagation is
// off for that plan, or DuckDB would see the stand-ins are empty and plan nothing at all.
import type { AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';
import { ident } from '$cells/sql/quote';
import type { BoundValue } from '$cells/sql/parameters';
import { comparisonsOf, type Comparison } from './filters';

export const SHADOW_SCHEMA = '__sheaf_shadow';

/**
 * `firstRowsOnly`: nothing but a LIMIT (and projections) stands between the scan and the result, and the scan has
 * no filter, so any rows will do: the first row groups are enough.
 */
export type ScanNeed = { columns: Set<string>; comparisons: Comparison[]; firstRowsOnly: boolean };
/** Table name (lower case) → one entry per scan of it in the plan. */
export type Needs = Map<string, ScanNeed[]>;

export type ShadowTable = { name: string; columns: { name: string; type: string }[] };

/**
 * The scans of `tables` in the plan of `query`, or null when DuckDB cannot plan it (a syntax error, say: the run
 * itself will report it).
 */
export async function planNeeds(
  conn: AsyncDuckDBConnection,
  query: string,
  tables: ShadowTable[],
  /** Values for the query's $1, $2…, so that filters on them are planned (and pushed down) as on the real run. */
  params: BoundValue[] = []
): Promise<Needs | null> {
  await conn.query(`create schema if not exists ${SHADOW_SCHEMA}`);
  for (const t of tables) {
    const cols = t.columns.map((c) => `${ident(c.name)} ${c.type}`).join(', ');
    await conn.query(`create or replace table ${SHADOW_SCHEMA}.${ident(t.name)} (${cols || '"empty" int'})`);
  }
  await conn.query(`set search_path = '${SHADOW_SCHEMA},main'`);
  await conn.query(`set disabled_optimizers = 'statistics_propagation'`);
  let plan: unknown;
  try {
    const explain = `explain (format json) ${query}`;
    let result;
    if (params.length) {
      const statement = await conn.prepare(explain);
      result = await statement.query(...params).finally(() => statement.close().catch(() => undefined));
    } else result = await conn.query(explain);
    const row = result.get(0)?.toJSON() as Record<string, unknown> | undefined;
    plan = JSON.parse(String(row?.explain_value ?? Object.values(row ?? {})[1] ?? 'null'));
  } catch {
    return null;
  } finally {
    await conn.query(`reset search_path`);
    await conn.query(`reset disabled_optimizers`);
  }
  const byName = new Map(tables.map((t) => [t.name.toLowerCase(), t]));
  const needs: Needs = new Map();
  walk(plan, [], (node, above) => {
    const extra = (node.extra_info ?? {}) as Record<string, unknown>;
    const m = /\.__sheaf_shadow\.(.+)$/.exec(String(extra.Table ?? ''));
    if (!m) return;
    const name = m[1]!.replace(/^"(.*)"$/, '$1').toLowerCase();
    const table = byName.get(name);
    if (!table) return;
    const { comparisons, text } = comparisonsOf(
      extra.Filters,
      table.columns.map((c) => c.name)
    );
    const projected = listOf(extra.Projections);
    const columns = new Set<string>();
    for (const c of table.columns) {
      // Filter columns are read too; a column named in a filter we could not parse is loaded to be safe.
      // A struct's field read on its own is projected as "column.field".
      const read = projected.some((p) => p === c.name || p.startsWith(`${c.name}.`));
      if (read || mentions(text, c.name)) columns.add(c.name);
    }
    const firstRowsOnly =
      !text &&
      above.length > 0 &&
      /LIMIT/.test(String(above[0]!.name)) &&
      above.every((n) => /^(STREAMING_LIMIT|LIMIT|PROJECTION)$/.test(String(n.name).trim()));
    needs.set(name, [...(needs.get(name) ?? []), { columns, comparisons, firstRowsOnly }]);
  });
  return needs;
}

type PlanNode = { name?: unknown; extra_info?: unknown; children?: unknown };

/** Visits every node with the nodes above it, root first. */
function walk(node: unknown, above: PlanNode[], visit: (n: PlanNode, above: PlanNode[]) => void): void {
  if (Array.isArray(node)) return node.forEach((n) => walk(n, above, visit));
  if (!node || typeof node !== 'object') return;
  visit(node as PlanNode, above);
  walk((node as PlanNode).children, [...above, node as PlanNode], visit);
}

/**
 * The row count of a query that ends in `LIMIT n` (no OFFSET), from its text: DuckDB's plan does not show it.
 * Null for anything else.
 */
export function trailingLimit(query: string): number | null {
  const text = query.replace(/--[^\n]*$/gm, '').trim();
  if (/\boffset\b/i.test(text)) return null;
  const m = /\blimit\s+(\d{1,9})\s*$/i.exec(text);
  return m ? Number(m[1]) : null;
}

function listOf(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  return typeof v === 'string' && v ? v.split('\n').filter(Boolean) : [];
}

function mentions(text: string, column: string): boolean {
  if (!text) return false;
  if (text.includes(ident(column))) return true;
  const escaped = column.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_])${escaped}($|[^A-Za-z0-9_])`, 'i').test(text);
}
