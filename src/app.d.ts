// See https://svelte.dev/docs/kit/types#app.d.ts
import type { SessionUser, Session } from '$server/auth/session';
import type { RenderNote } from '$server/publish/page-cache';

declare global {
  namespace App {
    interface Locals {
      user: SessionUser | null;
      session: Session | null;
      /** Set by the dashboard page's load for the page cache (src/lib/server/dashboard-page.ts). */
      pageRender?: RenderNote;
    }
    interface Error {
      message: string;
      code?: string;
    }
  }
}

export {};
