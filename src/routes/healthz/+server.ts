import { json } from '@sveltejs/kit';
import { getDb } from '$server/db/instance';

export async function GET() {
  try {
    const db = await getDb();
    await db.query('select 1');
    return json({ ok: true, database: 'reachable', kind: db.kind });
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return json({ ok: false, database: 'unreachable', error: reason }, { status: 503 });
  }
}
