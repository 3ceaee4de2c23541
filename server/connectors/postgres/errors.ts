// PostgreSQL and network failures as messages a person can act on: each way of not connecting gets its own.
import { GaveUp, gaveUpProblem } from '../deadline';
import { networkProblem, QueryError, type ConnectProblem } from '../query-error';
import type { NetworkSettings } from '../settings';
import { CONNECT_TIMEOUT_S } from './client';

type PgLike = { code?: unknown; message?: unknown; position?: unknown; errno?: unknown };

const codeOf = (e: unknown): string => String((e as PgLike)?.code ?? '');
const messageOf = (e: unknown): string => String((e as PgLike)?.message ?? e);

export function connectProblem(e: unknown, s: NetworkSettings): { problem: ConnectProblem; message: string } {
  const code = codeOf(e);
  const where = `${s.host}:${s.port}`;
  const gaveUp = gaveUpProblem(e, s, 'PostgreSQL');
  if (gaveUp) return gaveUp;
  const network = networkProblem(code, s.host, s.port, CONNECT_TIMEOUT_S);
  if (network) return network;
  // A reset while connecting: something listens there but dropped us before speaking PostgreSQL's protocol.
  if (code === 'ECONNRESET' || code === 'EPIPE')
    return {
      problem: 'other',
      message: `The server at ${where} accepted the connection and closed it straight away; is it a PostgreSQL server?`
    };
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

export function queryError(e: unknown, s: NetworkSettings, cancelled: boolean): QueryError {
  const code = codeOf(e);
  // A pooled client that kept being hung up on during start-up (see sockets.ts).
  if (e instanceof GaveUp) return new QueryError('connect', connectProblem(e, s).message);
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
