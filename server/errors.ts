// Errors users can read. Business code throws AppError; the HTTP layer maps `code` to a status in one place.

export type ErrorCode =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'too_large'
  | 'unavailable';

const STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503
};

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Per-field messages for forms, e.g. { email: 'Enter a valid email address.' } */
  readonly fields: Record<string, string>;
  /** For rate limits: seconds until the next attempt may succeed. */
  readonly retryAfterS?: number;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { fields?: Record<string, string>; retryAfterS?: number } = {}
  ) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.fields = opts.fields ?? {};
    this.retryAfterS = opts.retryAfterS;
  }

  get status(): number {
    return STATUS[this.code];
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

export const notFound = (what = 'That page') => new AppError('not_found', `${what} was not found.`);
export const forbidden = (message: string) => new AppError('forbidden', message);
export const invalid = (message: string, fields?: Record<string, string>) =>
  new AppError('invalid', message, { fields });
