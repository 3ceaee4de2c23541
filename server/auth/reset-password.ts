// An operator resets a forgotten password (`npm run sheaf -- reset-password`): a new Argon2 hash, and every
// session of the account ended, so whoever may have had the old password is signed out too.
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { z } from 'zod';
import type { Db } from '../db/types';
import { AppError } from '../errors';
import { parseInput } from '../validate';
import { hashPassword } from './password';
import { EmailSchema, NewPasswordSchema } from './schemas';

/** 100 random bits as four groups of five base32 letters and digits: easy to read out, impossible to guess. */
export function temporaryPassword(): string {
  const bytes = new Uint8Array(13);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes).slice(0, 20).match(/.{5}/g)!.join('-');
}

const ResetSchema = z.object({ email: EmailSchema, password: NewPasswordSchema });

export type PasswordReset = { email: string; name: string; sessionsEnded: number };

export async function resetPassword(db: Db, email: string, password: string): Promise<PasswordReset> {
  const input = parseInput(ResetSchema, { email, password });
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const users = await tx.query<{ id: string; email: string; name: string }>(
      'update users set password_hash = $2 where lower(email) = $1 returning id, email, name',
      [input.email, passwordHash]
    );
    const user = users[0];
    if (!user) throw new AppError('not_found', `No account has the email ${input.email}.`);
    const ended = await tx.query('delete from sessions where user_id = $1 returning id', [user.id]);
    return { email: user.email, name: user.name, sessionsEnded: ended.length };
  });
}
