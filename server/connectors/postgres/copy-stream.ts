// COPY … TO STDOUT through postgres.js, with two of its stream bugs worked around (both open upstream):
//  - its socket is paused when the stream's buffer fills and resumed only when the stream is read again; if the
//    COPY ends (or fails) meanwhile, nothing reads again and the connection hangs (porsager/postgres#1016).
//    `release` calls the stream's read hook, which resumes the socket, once we are done with the stream.
//  - when the COPY fails in the same network read that started it (e.g. a statement timeout before the first
//    row), the stream is destroyed before `await` hands it to us, and its 'error' event, with no listener yet,
//    would crash the process. A listener is attached the moment the stream is created.
import type { Readable } from 'node:stream';
import type postgres from 'postgres';

type WithResolve = { resolve: (value: unknown) => void };

export async function copyOut(tx: postgres.TransactionSql, statement: string) {
  const query = tx.unsafe(statement);
  const q = query as unknown as WithResolve;
  const resolve = q.resolve;
  q.resolve = (value: unknown) => {
    (value as Readable | undefined)?.on?.('error', () => {}); // the consumer sees the error by reading
    resolve(value);
  };
  query.catch(() => {}); // a failure also rejects the query; the stream reports it
  const stream = (await query.readable()) as Readable;
  return {
    stream,
    release: () => (stream as unknown as { _read: (n: number) => void })._read(0)
  };
}
