// The notebook's comments as the page holds them: the threads and the members (for names and @mentions), fetched
// when the live connection syncs and again whenever the server says they changed (comments-signal.ts), so what
// anyone posts shows on every open page without a reload. The Comments panel and each cell's badge share this.
import type * as Y from 'yjs';
import { mentionsAsNames, type Anchor, type CommentMember, type Thread } from '$cells/comments';
import { resolveAnchor } from './anchor';
import * as api from './api';

export type Result = { ok: true } | { ok: false; message: string };

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class NotebookComments {
  threads = $state.raw<Thread[]>([]);
  members = $state.raw<CommentMember[]>([]);
  loaded = $state(false);
  loadError = $state('');
  /** The panel's focus: one cell's threads (its badge was pressed), or all of them. */
  cellFilter = $state<string | null>(null);
  /** A new thread being written, on a cell and maybe a range of its source. */
  draft = $state.raw<{ cellId: string; anchor: Anchor | null } | null>(null);
  /** The thread to bring into view (a mention's link). */
  focusThread = $state<string | null>(null);
  /** Bumped to ask the panel to open and come into view. */
  shown = $state(0);
  private loading: Promise<void> | null = null;
  private again = false;
  private readonly stop: () => void;

  constructor(
    readonly notebookId: string,
    readonly me: { id: string },
    /** Calls its argument whenever the comments may have changed (onCommentsChanged on the live connection);
     * returns the function that stops it. */
    subscribe: (changed: () => void) => () => void,
    /** From a mention's link (?thread=…&comment=…): the thread to show once loaded, the mention to mark read. */
    private opening: { threadId: string; commentId: string | null } | null = null
  ) {
    this.stop = subscribe(() => void this.refresh());
  }

  private openLinked(): void {
    const o = this.opening;
    if (!o) return;
    this.opening = null;
    if (!this.threads.some((t) => t.id === o.threadId)) return;
    this.cellFilter = null;
    this.focusThread = o.threadId;
    this.shown++;
    if (o.commentId) void api.markMentionsRead([o.commentId]).catch(() => {});
  }

  destroy(): void {
    this.stop();
  }

  /** Fetches the comments; a signal arriving during a fetch makes one more fetch after it, never several. */
  refresh(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      do {
        this.again = false;
        try {
          const list = await api.listComments(this.notebookId);
          this.threads = list.threads;
          this.members = list.members;
          this.loaded = true;
          this.loadError = '';
          this.openLinked();
        } catch (e) {
          this.loadError = message(e);
        }
      } while (this.again);
      this.loading = null;
    })();
    return this.loading;
  }

  /** Open threads on each cell, for the badges. */
  readonly openCounts = $derived.by(() => {
    const counts: Record<string, number> = {};
    for (const t of this.threads) if (!t.resolvedAt) counts[t.cellId] = (counts[t.cellId] ?? 0) + 1;
    return counts;
  });

  /** Where in `text` (a cell's source) open threads' ranges are now; ranges whose text is gone are left out. */
  rangesIn(text: Y.Text): { from: number; to: number }[] {
    const out: { from: number; to: number }[] = [];
    for (const t of this.threads) {
      if (t.resolvedAt || !t.anchor) continue;
      const r = resolveAnchor(text, t.anchor);
      if (r) out.push(r);
    }
    return out;
  }

  nameOf = (id: string | null): string | undefined =>
    id === null ? undefined : this.members.find((m) => m.id === id)?.name;

  /** A body's markdown with its mentions as names. */
  shownBody = (body: string): string => mentionsAsNames(body, (id) => this.nameOf(id));

  /** Opens the panel on one cell's threads, or starts a thread there when it has none. */
  showCell(cellId: string, anchor: Anchor | null = null): void {
    this.cellFilter = cellId;
    const hasOpen = (this.openCounts[cellId] ?? 0) > 0;
    this.draft = anchor || !hasOpen ? { cellId, anchor } : null;
    this.shown++;
  }

  private async act(fn: () => Promise<unknown>): Promise<Result> {
    try {
      await fn();
    } catch (e) {
      return { ok: false, message: message(e) };
    }
    await this.refresh();
    return { ok: true };
  }

  start = (cellId: string, body: string, anchor: Anchor | null) =>
    this.act(async () => {
      await api.startThread(this.notebookId, { cellId, body, anchor });
      this.draft = null;
    });
  reply = (threadId: string, body: string) => this.act(() => api.replyTo(this.notebookId, threadId, body));
  resolve = (threadId: string, resolved: boolean) =>
    this.act(() => api.setResolved(this.notebookId, threadId, resolved));
  edit = (commentId: string, body: string) =>
    this.act(() => api.editComment(this.notebookId, commentId, body));
  remove = (commentId: string) => this.act(() => api.deleteComment(this.notebookId, commentId));
}
