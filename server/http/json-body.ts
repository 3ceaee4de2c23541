// A JSON request body for +server.ts endpoints, or a readable error.
import { AppError } from '../errors';

export async function jsonBody(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw new AppError('invalid', 'The request body must be JSON.');
  }
}
