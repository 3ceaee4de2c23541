// Keeps the notebook list's copy of a room's title and its "updated" time current while people type.
import type * as Y from 'yjs';
import { getTitle } from '../../cells/document';
import type { Db } from '../db/types';
import type { NotebookId } from '../ids';

/** notebooks.updated_at is touched at most this often while people type. */
const TOUCH_EVERY_MS = 5_000;

/** The list's copy of the title is PostgreSQL text, which refuses NUL: a typed NUL would fail every save after
 * it (and drop everyone's connection each time), so control characters become spaces there. */
// eslint-disable-next-line no-control-regex -- control characters are what is replaced
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/g;

export class RoomListing {
  private title: string;
  private lastTouch = 0;

  constructor(
    private readonly db: Db,
    private readonly notebookId: NotebookId,
    doc: Y.Doc
  ) {
    this.title = getTitle(doc);
  }

  /** After edits were stored and applied to `doc`. */
  async stored(doc: Y.Doc): Promise<void> {
    const title = getTitle(doc).replace(CONTROL_CHARS, ' ').trim().slice(0, 200);
    const now = Date.now();
    if (title !== this.title && title) {
      this.title = title;
      this.lastTouch = now;
      await this.db.query('update notebooks set title = $2, updated_at = now() where id = $1', [
        this.notebookId,
        title
      ]);
    } else if (now - this.lastTouch > TOUCH_EVERY_MS) {
      this.lastTouch = now;
      await this.db.query('update notebooks set updated_at = now() where id = $1', [this.notebookId]);
    }
  }
}
