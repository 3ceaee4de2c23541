// One clock for work that talks to a user's database on a user's behalf ("Test connection", reading a schema):
// a deadline for the whole of it (looking the host up, every attempt to connect, the query), which also ends
// when the request that asked for it goes away. Drivers' own timeouts are per attempt, and postgres.js makes
// attempts without end when a server closes the connection during start-up (see postgres/sockets.ts).
import type { ConnectProblem } from './query-error';

/** "Test connection" gives up after this long, whatever is going on. */
export const TEST_DEADLINE_S = 15;
/** Reading a schema may take a while on a big catalogue, but not for ever. */
export const SCHEMA_DEADLINE_S = 60;
/** Attempts to connect one piece of work may make (a driver connecting again after the server hung up). */
export const MAX_CONNECT_ATTEMPTS = 3;

export type GaveUpCode = 'SHEAF_DEADLINE' | 'SHEAF_CANCELLED' | 'SHEAF_CLOSED_AT_ONCE';

/** Why we stopped trying: shaped like a driver's error (a `code`), so it travels through drivers unchanged. */
export class GaveUp extends Error {
  readonly code: GaveUpCode;
  readonly seconds: number;
  constructor(code: GaveUpCode, seconds = 0) {
    super(
      code === 'SHEAF_DEADLINE'
        ? `gave up after ${seconds} s`
        : code === 'SHEAF_CANCELLED'
          ? 'the request went away'
          : 'the server kept closing the connection during start-up'
    );
    this.code = code;
    this.seconds = seconds;
  }
}

export type Deadline = {
  readonly signal: AbortSignal;
  /** `work`, or the reason we gave up (a GaveUp) as soon as we do, whichever comes first. */
  race<T>(work: Promise<T>): Promise<T>;
};

/**
 * Runs `work` with a deadline of `seconds` that also ends when `outer` aborts. An `outer` that is itself a
 * deadline passes its reason on, so nested deadlines report the one that ran out first.
 */
export async function withDeadline<T>(
  seconds: number,
  outer: AbortSignal | undefined,
  work: (d: Deadline) => Promise<T>
): Promise<T> {
  const controller = new AbortController();
  const passOn = () =>
    controller.abort(outer?.reason instanceof GaveUp ? outer.reason : new GaveUp('SHEAF_CANCELLED'));
  const timer = setTimeout(() => controller.abort(new GaveUp('SHEAF_DEADLINE', seconds)), seconds * 1000);
  if (outer?.aborted) passOn();
  else outer?.addEventListener('abort', passOn, { once: true });
  const signal = controller.signal;
  const gaveUp = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    else signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
  gaveUp.catch(() => {}); // nobody may be racing it when it fires
  try {
    return await work({ signal, race: (p) => Promise.race([p, gaveUp]) });
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', passOn);
  }
}

/** The readable problem for a GaveUp; null for any other error. `server` names what was expected there. */
export function gaveUpProblem(
  e: unknown,
  s: { host: string; port: number },
  server: string
): { problem: ConnectProblem; message: string } | null {
  if (!(e instanceof GaveUp)) return null;
  const where = `${s.host}:${s.port}`;
  if (e.code === 'SHEAF_DEADLINE')
    return {
      problem: 'timeout',
      message: `No answer from ${where} within ${e.seconds} s (timed out). A firewall may be in the way.`
    };
  if (e.code === 'SHEAF_CANCELLED')
    return { problem: 'other', message: `Stopped before ${where} answered: the request was cancelled.` };
  return {
    problem: 'other',
    message: `The server at ${where} accepted the connection and closed it straight away; is it a ${server} server?`
  };
}
