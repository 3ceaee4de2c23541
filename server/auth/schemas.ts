// What the sign-up and login forms accept.
import { z } from 'zod';

export const EmailSchema = z
  .string()
  .trim()
  .max(254, 'That email address is too long.')
  .pipe(z.email('Enter a valid email address.'))
  .transform((e) => e.toLowerCase());

export const NewPasswordSchema = z
  .string()
  .min(8, 'Use at least 8 characters for your password.')
  .max(256, 'Use at most 256 characters for your password.');

export const SignUpSchema = z.object({
  email: EmailSchema,
  name: z.string().trim().min(1, 'Tell us your name.').max(100, 'Use at most 100 characters for your name.'),
  password: NewPasswordSchema
});

export const LogInSchema = z.object({
  email: EmailSchema,
  password: z.string().min(1, 'Enter your password.').max(256, 'That password is too long.')
});
