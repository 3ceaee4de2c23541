// Whether the assistant is available, so its controls can say so instead of failing on use.
import { json } from '@sveltejs/kit';
import { NOT_CONFIGURED } from '$server/ai/requests';
import { loadConfig } from '$server/config';
import { AppError } from '$server/errors';
import { apiError } from '$server/http/respond';

export function GET({ locals }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in first.');
    const configured = !!loadConfig().ai.apiKey;
    return json({ configured, message: configured ? '' : NOT_CONFIGURED });
  } catch (e) {
    return apiError(e);
  }
}
