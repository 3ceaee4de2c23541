// See https://svelte.dev/docs/kit/types#app.d.ts
import type { SessionUser, Session } from '$server/auth/session';

declare global {
  namespace App {
    interface Locals {
      user: SessionUser | null;
      session: Session | null;
    }
    interface Error {
      message: string;
      code?: string;
    }
  }
}

export {};
