// A connected query's failure, whatever the database: a reason the UI can act on, a message a person can read,
// and, for SQL errors, the 1-based position in the user's query the database pointed at.
import { AppError } from '../errors';

export type QueryFailure = 'connect' | 'cancelled' | 'timeout' | 'read_only' | 'not_rows' | 'sql' | 'other';

export class QueryError extends AppError {
  readonly position: number | undefined;
  readonly reason: QueryFailure;
  constructor(reason: QueryFailure, message: string, position?: number) {
    // The user's query (SQL, writes, limits) is a 400; the database or we failing is a 503.
    super(reason === 'connect' || reason === 'other' ? 'unavailable' : 'invalid', message);
    this.reason = reason;
    this.position = position;
  }
}

export type ConnectProblem =
  'dns' | 'refused' | 'timeout' | 'auth' | 'database' | 'ssl' | 'unreachable' | 'other';

export type TestResult =
  { ok: true; server: string; ms: number } | { ok: false; problem: ConnectProblem; message: string };

/** Where a connected query's rows go, batch by batch. */
export type ResultSink = {
  /** Resolves when the batch may be followed by the next (backpressure). The first batch may be empty. */
  batch(batch: import('apache-arrow').RecordBatch): Promise<void>;
};

export type RunOutcome = { rows: number; truncated: boolean };

/** Network failures every driver reports the same way (Node's error codes). */
export function networkProblem(
  code: string,
  host: string,
  port: number,
  timeoutS: number
): { problem: ConnectProblem; message: string } | null {
  const where = `${host}:${port}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME')
    return {
      problem: 'dns',
      message: `Could not find the host "${host}" (DNS lookup failed). Check the host name.`
    };
  if (code === 'ECONNREFUSED')
    return {
      problem: 'refused',
      message: `Nothing accepted the connection at ${where} (connection refused). Check the host and port, and that the database is running.`
    };
  if (code === 'CONNECT_TIMEOUT' || code === 'ETIMEDOUT')
    return {
      problem: 'timeout',
      message: `No answer from ${where} within ${timeoutS} s (timed out). A firewall may be in the way.`
    };
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return { problem: 'unreachable', message: `The network cannot reach ${where} (host unreachable).` };
  return null;
}
