// PostgreSQL and network failures as messages a person can act on: each way of not connecting gets its own.
import { AppError } from '../../errors';
import type { ConnectionSettings } from '../settings';
import { CONNECT_TIMEOUT_S } from './client';

export type ConnectProblem =
  'dns' | 'refused' | 'timeout' | 'auth' | 'database' | 'ssl' | 'unreachable' | 'other';

type PgLike = { code?: unknown; message?: unknown; position?: unknown; errno?: unknown };

const codeOf = (e: unknown): string => String((e as PgLike)?.code ?? '');
const messageOf = (e: unknown): string => String((e as PgLike)?.message ?? e);

export function connectProblem(
  e: unknown,
  s: ConnectionSettings
): { problem: ConnectProblem; message: string } {
  const code = codeOf(e);
  const where = `${s.host}:${s.port}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME')
    return {
      problem: 'dns',
      message: `Could not find the host "${s.host}" (DNS lookup failed). Check the host name.`
    };
  if (code === 'ECONNREFUSED')
    return {
      problem: 'refused',
      message: `Nothing accepted the connection at ${where} (connection refused). Check the host and port, and that the database is running.`
    };
  if (code === 'CONNECT_TIMEOUT' || code === 'ETIMEDOUT')
    return {
      problem: 'timeout',
      message: `No answer from ${where} within ${CONNECT_TIMEOUT_S} s (timed out). A firewall may be in the way.`
    };
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return { problem: 'unreachable', message: `The network cannot reach ${where} (host unreachable).` };
  if (code === '28P01')
    return {
      problem: 'auth',
      message: `The database refused the password for user "${s.user}" (authentication failed).`
    };
  if (code === '28000')
    return {
      problem: 'auth',
      message: `The database does not let user "${s.user}" connect from here: ${messageOf(e)}`
    };
  if (code === '3D000')
    return { problem: 'database', message: `There is no database "${s.database}" on ${where}.` };
  if (/ssl|tls|certificate/i.test(messageOf(e)) || /CERT|SSL/.test(code))
    return { problem: 'ssl', message: `The SSL/TLS handshake failed: ${messageOf(e)}` };
  return { problem: 'other', message: `Could not connect to ${where}: ${messageOf(e)}` };
}

const CONNECT_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'ECONNREFUSED',
  'CONNECT_TIMEOUT',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '28P01',
  '28000',
  '3D000'
]);

/** A query's failure. `position` is 1-based in the user's SQL when the database pointed at a spot. */
export class QueryError extends AppError {
  readonly position: number | undefined;
  readonly reason: string;
  constructor(reason: string, message: string, position?: number) {
    super(reason === 'connect' ? 'unavailable' : 'invalid', message);
    this.reason = reason;
    this.position = position;
  }
}

export function queryError(e: unknown, s: ConnectionSettings, cancelled: boolean): QueryError {
  const code = codeOf(e);
  if (CONNECT_CODES.has(code)) return new QueryError('connect', connectProblem(e, s).message);
  if (code === '57014') {
    return cancelled
      ? new QueryError('cancelled', 'The query was cancelled.')
      : new QueryError(
          'timeout',
          `The query ran longer than this connection's limit of ${s.statementTimeoutS} s and was stopped.`
        );
  }
  if (code === '25006')
    return new QueryError(
      'read_only',
      `Sheaf only reads from connected databases: ${messageOf(e)}. Queries run in read-only transactions.`
    );
  if (code === 'CONNECTION_CLOSED' || code === 'CONNECTION_DESTROYED' || code === 'ECONNRESET')
    return new QueryError('connect', `The connection to ${s.host}:${s.port} was lost during the query.`);
  const pos = Number((e as PgLike)?.position);
  if (/^[0-9A-Z]{5}$/.test(code))
    return new QueryError('sql', messageOf(e), Number.isFinite(pos) && pos > 0 ? pos : undefined);
  return new QueryError('other', `The query failed: ${messageOf(e)}`);
}
