// Runs a SQL cell on a connected database: the server streams the result as Arrow; rows are shown as batches
// arrive, and the run ends with the server's status (finished, cut at the row cap, or failed part-way).
import { RecordBatchReader, Table, type RecordBatch, type Schema } from 'apache-arrow';
import type { InputValues } from '$cells/sql/parameters';

export type ConnectionRunResult =
  | { ok: true; table: Table; ms: number; truncated: boolean; rowCap: number }
  | { ok: false; error: string; ms: number; cancelled: boolean; position: number | null };

export async function runOnConnection(
  connectionId: string,
  sql: string,
  onRows: (soFar: Table) => void,
  signal: AbortSignal,
  /** Bound as the database's parameters at the query's `{{name}}` references (on the server). */
  inputs?: InputValues
): Promise<ConnectionRunResult> {
  const started = performance.now();
  const ms = () => performance.now() - started;
  const failed = (error: string, position: number | null = null) =>
    ({ ok: false, error, ms: ms(), cancelled: signal.aborted, position }) as const;
  let res: Response;
  try {
    res = await fetch(`/api/connections/${connectionId}/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(inputs ? { sql, inputs } : { sql }),
      signal
    });
  } catch (e) {
    return failed(signal.aborted ? 'Cancelled.' : `Could not reach the server: ${(e as Error).message}`);
  }
  if (!res.ok || !res.body) {
    const body = (await res.json().catch(() => null)) as {
      error?: { message?: string; position?: number };
    } | null;
    return failed(
      body?.error?.message ?? `The query failed (HTTP ${res.status}).`,
      body?.error?.position ?? null
    );
  }
  const rowCap = Number(res.headers.get('x-sheaf-row-cap') ?? 0);
  const batches: RecordBatch[] = [];
  let schema: Schema | null = null;
  let status: Record<string, unknown> | null = null;
  let shown = 0;
  try {
    // Two streams: the result, then a one-row status (see server/connectors/arrow-ipc.ts).
    for await (const reader of RecordBatchReader.readAll(res.body)) {
      if (!schema) {
        schema = reader.schema;
        for await (const batch of reader) {
          batches.push(batch);
          // Repaint at most every 100 ms: a grid redrawn per batch would slow the transfer down.
          if (performance.now() - shown > 100) {
            shown = performance.now();
            onRows(new Table(reader.schema, batches));
          }
        }
      } else {
        for await (const batch of reader) status = new Table(batch).get(0)?.toJSON() ?? null;
      }
    }
  } catch (e) {
    return failed(signal.aborted ? 'Cancelled.' : `The result stream broke off: ${(e as Error).message}`);
  }
  if (!schema || status?.status !== 'ok') {
    const message =
      typeof status?.message === 'string' && status.message ? status.message : 'The query failed.';
    return failed(signal.aborted ? 'Cancelled.' : message);
  }
  return {
    ok: true,
    table: new Table(schema, batches),
    ms: ms(),
    truncated: status.truncated === true,
    rowCap
  };
}
