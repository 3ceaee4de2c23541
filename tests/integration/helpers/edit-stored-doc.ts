// Changes a notebook's stored document the way a client's update would: loaded, changed, and the change appended
// to its update log (no collab server needed).
import * as Y from 'yjs';
import { appendUpdates, loadDoc } from '../../../server/collab/doc-store';
import type { Queryable } from '../../../server/db/types';
import type { NotebookId } from '../../../server/ids';

export async function editStoredDoc(db: Queryable, notebookId: NotebookId, change: (doc: Y.Doc) => void) {
  const doc = await loadDoc(db, notebookId);
  try {
    const before = Y.encodeStateVector(doc);
    change(doc);
    await appendUpdates(db, notebookId, [Y.encodeStateAsUpdate(doc, before)]);
  } finally {
    doc.destroy();
  }
}
