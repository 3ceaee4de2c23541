// A published connection cell run on the server on its publisher's behalf: at publish and refresh (snapshot.ts),
// and for a dashboard viewer's own input values (live-cell.ts). The connection is opened with the publisher's
// access and must belong to the notebook's workspace; the run has one overall deadline (opening the connection,
// reaching the host, the query), stops when `signal` aborts, and its messages never name the connection's host,
// user, database, path or password, since viewers read them.
import { Table, type RecordBatch } from 'apache-arrow';
import { runQuery } from '../connectors/engines';
import { QueryError } from '../connectors/query-error';
import type { SecretBox } from '../connectors/secret-box';
import { openConnection, type OpenConnection } from '../connectors/store';
import type { Queryable } from '../db/types';
import { connectionIdParam, type UserId, type WorkspaceId } from '../ids';
import type { InputValues } from '../../cells/sql/parameters';

/** Whose access the run uses, and the workspace its connection must belong to. */
export type RunAs = { publishedBy: UserId; workspaceId: WorkspaceId };

export type ConnectionRunLimits = {
  /** Ends the run early (the viewer went away); the deadline still applies. */
  signal?: AbortSignal;
  /** At most this many seconds a statement, whatever the connection allows. */
  maxStatementS?: number;
  /** At most this many rows, whatever the connection allows; more sets `truncated`. */
  maxRows?: number;
};

export type ConnectionRun = { table: Table; rows: number; truncated: boolean };

/** A connection's own details never go into a message a viewer may read. */
export function scrubbed(message: string, conn: OpenConnection): string {
  const s = conn.settings as Record<string, unknown>;
  const secrets = [conn.password, s.host, s.user, s.database, s.path]
    .filter((v): v is string => typeof v === 'string' && v.length >= 3)
    .sort((a, b) => b.length - a.length);
  return secrets.reduce((m, v) => m.split(v).join('…'), message);
}

/** Seconds beyond the statement timeout before the server gives up itself (the database's own limit can fail). */
const GRACE_S = 5;

export async function runOnConnection(
  db: Queryable,
  box: SecretBox,
  as: RunAs,
  cell: { engine: string; sql: string },
  inputs: InputValues,
  limits: ConnectionRunLimits = {}
): Promise<ConnectionRun> {
  let conn: OpenConnection;
  try {
    conn = await openConnection(db, box, {
      userId: as.publishedBy,
      connectionId: connectionIdParam(cell.engine),
      needed: 'editor'
    });
  } catch (e) {
    throw new Error(
      'its database connection is gone, or whoever published the dashboard can no longer edit this workspace',
      { cause: e }
    );
  }
  // A document names its connection by id; only the notebook's own workspace's connections may run for it.
  if (conn.workspaceId !== as.workspaceId)
    throw new Error('it names a database connection of another workspace');
  conn = limited(conn, limits);

  const abort = new AbortController();
  const outer = limits.signal;
  const onGone = () => abort.abort('client');
  if (outer?.aborted) onGone();
  else outer?.addEventListener('abort', onGone, { once: true });
  const seconds = conn.settings.statementTimeoutS + GRACE_S;
  // The drivers stop on the signal; the race covers what they do before looking at it (resolving the host).
  let timer: ReturnType<typeof setTimeout> | undefined;
  const gaveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort('timeout');
      reject(new QueryError('timeout', `The query took longer than ${seconds} s and was stopped.`));
    }, seconds * 1000);
    abort.signal.addEventListener('abort', () => {
      if (abort.signal.reason === 'client') reject(new QueryError('cancelled', 'The query was cancelled.'));
    });
  });
  gaveUp.catch(() => {});
  const batches: RecordBatch[] = [];
  try {
    const outcome = await Promise.race([
      runQuery(conn, cell.sql, { batch: async (b) => void batches.push(b) }, abort.signal, inputs),
      gaveUp
    ]);
    return { table: new Table(batches), rows: outcome.rows, truncated: outcome.truncated };
  } catch (e) {
    const message = e instanceof QueryError ? e.message : 'the database failed to answer';
    throw new Error(scrubbed(message, conn), { cause: e });
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onGone);
  }
}

/** The connection with its statement timeout and row cap lowered to `limits` (never raised). */
function limited(conn: OpenConnection, limits: ConnectionRunLimits): OpenConnection {
  const s = conn.settings;
  const statementTimeoutS = Math.min(s.statementTimeoutS, limits.maxStatementS ?? Infinity);
  const rowCap = Math.min(s.rowCap, limits.maxRows ?? Infinity);
  return { ...conn, settings: { ...s, statementTimeoutS, rowCap } } as OpenConnection;
}
