// The demo account and notebook that the embedded default starts with.
import { signUp } from '../auth/accounts';
import { createNotebook } from '../notebooks/notebooks';
import type { Db } from './types';

export const DEMO = { email: 'demo@sheaf.local', password: 'sheaf-demo', name: 'Demo Analyst' } as const;

/** Creates the demo account once; later starts leave it (and whatever the user did with it) alone. */
export async function seedDemo(db: Db): Promise<boolean> {
  const existing = await db.query('select 1 from users where lower(email) = $1', [DEMO.email]);
  if (existing.length > 0) return false;
  const { user, workspaceId } = await signUp(db, DEMO);
  await createNotebook(db, user.id, workspaceId, { title: 'Demo: US flights' });
  return true;
}
