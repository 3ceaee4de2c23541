import { json } from '@sveltejs/kit';
import { getDb } from '$server/db/instance';

export async function GET() {
  try {
    const db = await getDb();
    await db.query('select 1');
    return json({ ok: true, database: 'reachable', kind: db.kind });
  } catch (e) {
    // The reason goes to the server log, not to whoever asks: it can name hosts and users.
    console.error('healthz: database unreachable:', e);
    return json({ ok: false, database: 'unreachable' }, { status: 503 });
  }
}
