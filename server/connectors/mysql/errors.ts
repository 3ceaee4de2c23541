// MySQL/MariaDB failures as messages a person can act on.
import { gaveUpProblem } from '../deadline';
import { networkProblem, QueryError, type ConnectProblem } from '../query-error';
import type { NetworkSettings } from '../settings';
import { CONNECT_TIMEOUT_S } from './client';

type MyError = { code?: unknown; errno?: unknown; message?: unknown; sqlMessage?: unknown };
const codeOf = (e: unknown) => String((e as MyError)?.code ?? '');
const messageOf = (e: unknown) => String((e as MyError)?.sqlMessage ?? (e as MyError)?.message ?? e);

export function connectProblem(e: unknown, s: NetworkSettings): { problem: ConnectProblem; message: string } {
  const code = codeOf(e);
  const gaveUp = gaveUpProblem(e, s, 'MySQL or MariaDB');
  if (gaveUp) return gaveUp;
  const network = networkProblem(code, s.host, s.port, CONNECT_TIMEOUT_S);
  if (network) return network;
  if (code === 'ER_ACCESS_DENIED_ERROR')
    return {
      problem: 'auth',
      message: `The database refused the password for user "${s.user}" (authentication failed).`
    };
  if (code === 'ER_BAD_DB_ERROR')
    return { problem: 'database', message: `There is no database "${s.database}" on ${s.host}:${s.port}.` };
  if (code === 'ER_DBACCESS_DENIED_ERROR')
    return { problem: 'auth', message: `User "${s.user}" may not use database "${s.database}".` };
  if (code === 'PROTOCOL_CONNECTION_LOST' || code === 'ECONNRESET')
    return {
      problem: 'other',
      message: `The server at ${s.host}:${s.port} accepted the connection and closed it straight away; is it a MySQL or MariaDB server?`
    };
  if (/ssl|tls|certificate/i.test(messageOf(e)))
    return { problem: 'ssl', message: `The SSL/TLS handshake failed: ${messageOf(e)}` };
  return { problem: 'other', message: `Could not connect to ${s.host}:${s.port}: ${messageOf(e)}` };
}

const CONNECT = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ER_ACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'ER_DBACCESS_DENIED_ERROR'
]);

export function queryError(e: unknown, s: NetworkSettings, cancelled: boolean): QueryError {
  const code = codeOf(e);
  if (CONNECT.has(code)) return new QueryError('connect', connectProblem(e, s).message);
  // Killed by us (cancel, 1317) or by the server's statement limit (MariaDB 1969, MySQL 3024); mysql2 does not
  // name MariaDB's codes, so the numbers are what to go by.
  const errno = Number((e as MyError)?.errno);
  if (errno === 1317 || errno === 1969 || errno === 3024) {
    return cancelled
      ? new QueryError('cancelled', 'The query was cancelled.')
      : new QueryError(
          'timeout',
          `The query ran longer than this connection's limit of ${s.statementTimeoutS} s and was stopped.`
        );
  }
  if (errno === 1792)
    return new QueryError('read_only', `Sheaf only reads from connected databases: ${messageOf(e)}.`);
  if (code === 'PROTOCOL_CONNECTION_LOST' || code === 'ECONNRESET')
    return new QueryError('connect', `The connection to ${s.host}:${s.port} was lost during the query.`);
  if (code.startsWith('ER_') || errno > 0) return new QueryError('sql', messageOf(e));
  return new QueryError('other', `The query failed: ${messageOf(e)}`);
}
