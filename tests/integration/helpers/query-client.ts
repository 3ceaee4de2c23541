// Runs a query on a connection through the HTTP route the browser uses, and reads the answer as the browser
// does: JSON for errors before the first row, otherwise the Arrow result stream followed by the status stream.
import { RecordBatchReader, Table, type RecordBatch } from 'apache-arrow';

export type Answer =
  | { kind: 'error'; status: number; error: { message: string; reason?: string; position?: number } }
  | {
      kind: 'result';
      table: Table;
      status: { status: string; rows: number; truncated: boolean; message: string };
    };

export async function queryOverHttp(
  port: number,
  token: string,
  connectionId: string,
  sql: string,
  /** The request's `inputs`, bound at the query's {{name}} references. */
  inputs?: Record<string, unknown>
): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${port}/api/connections/${connectionId}/query`, {
    method: 'POST',
    headers: { cookie: `sheaf_session=${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(inputs ? { sql, inputs } : { sql })
  });
  if (res.headers.get('content-type')?.startsWith('application/json')) {
    return { kind: 'error', status: res.status, error: (await res.json()).error };
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  const streams: RecordBatch[][] = [];
  for await (const reader of RecordBatchReader.readAll(bytes)) {
    const batches: RecordBatch[] = [];
    for await (const b of reader) batches.push(b);
    streams.push(batches);
  }
  const [data, status] = streams;
  const s = new Table(status!).get(0)!.toJSON();
  return {
    kind: 'result',
    table: new Table(data!),
    status: { status: s.status, rows: Number(s.rows), truncated: s.truncated, message: s.message }
  };
}

export function ok(a: Answer) {
  if (a.kind !== 'result') throw new Error(`expected a result, got ${a.status}: ${a.error.message}`);
  if (a.status.status !== 'ok') throw new Error(`the run failed: ${a.status.message}`);
  return a;
}

export async function eventually(check: () => Promise<boolean>, ms = 10_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
