// Maps AppErrors to HTTP: form actions get fail(status, {message, fields}), endpoints get a JSON error body.
import { error, fail, json } from '@sveltejs/kit';
import { isAppError } from '../errors';

/** For form actions: an AppError becomes a failure the form shows; anything else is a real bug and rethrown. */
export function actionFailure(e: unknown, values: Record<string, string> = {}) {
  if (!isAppError(e)) throw e;
  return fail(e.status, { message: e.message, fields: e.fields, values, code: e.code });
}

/** For load functions: an AppError becomes SvelteKit's error page with its status. */
export function pageError(e: unknown): never {
  if (!isAppError(e)) throw e;
  error(e.status, { message: e.message, code: e.code });
}

/** For +server.ts endpoints. */
export function apiError(e: unknown): Response {
  if (!isAppError(e)) throw e;
  const headers: Record<string, string> = {};
  if (e.retryAfterS) headers['retry-after'] = String(e.retryAfterS);
  return json(
    { error: { code: e.code, message: e.message, fields: e.fields } },
    { status: e.status, headers }
  );
}
