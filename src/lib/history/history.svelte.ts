// The notebook's history as the page holds it: the list of versions (loaded when the History panel opens, again
// after a save or a restore), the version open in the main column (its cells, or compared with now) and the
// restores an editor asks for. The panel and the version view share one of these, made by Notebook.svelte.
//
// A restore is applied by the server through the notebook's room, like anyone's edit; this page sees it arrive
// over its live connection like a co-editor's typing, so nothing here touches the document.
import type * as Y from 'yjs';
import {
  compareVersion,
  listVersions,
  openVersion,
  restoreVersion,
  saveVersion,
  versionChanges,
  type Comparison,
  type VersionChanges,
  type VersionContent,
  type VersionInfo
} from './api';
import { exactTime } from './version-text';

export type VersionTab = 'cells' | 'compare';

type Loaded<T> = { status: 'loading' } | { status: 'ready'; value: T } | { status: 'error'; message: string };

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class NotebookHistory {
  /** Newest first; null until first loaded. */
  versions = $state.raw<VersionInfo[] | null>(null);
  loading = $state(false);
  loadError = $state('');
  /** The version shown instead of the live cells, and how. */
  opened = $state.raw<{ version: VersionInfo; tab: VersionTab } | null>(null);
  content = $state.raw<Loaded<VersionContent> | null>(null);
  comparison = $state.raw<Loaded<Comparison> | null>(null);
  /** Who changed which cells between the open version and the one before it. */
  changes = $state.raw<Loaded<VersionChanges> | null>(null);
  /** The live notebook changed after the comparison was made: it may be out of date. */
  changedSinceCompare = $state(false);
  /** What the last restore did, for a notice that says how to undo it. */
  lastRestore = $state.raw<{ what: string; before: VersionInfo } | null>(null);

  private readonly onUpdate = () => {
    if (this.comparison?.status === 'ready') this.changedSinceCompare = true;
  };

  constructor(
    readonly notebookId: string,
    private readonly doc?: Y.Doc
  ) {
    doc?.on('update', this.onUpdate);
  }

  destroy(): void {
    this.doc?.off('update', this.onUpdate);
  }

  async refresh(): Promise<void> {
    this.loading = true;
    try {
      this.versions = await listVersions(this.notebookId);
      this.loadError = '';
    } catch (e) {
      this.loadError = message(e);
    } finally {
      this.loading = false;
    }
  }

  /** Saves a named version; the server's message when it refuses (an empty label, too many named versions). */
  async save(label: string): Promise<{ ok: true; version: VersionInfo } | { ok: false; message: string }> {
    try {
      const version = await saveVersion(this.notebookId, label);
      await this.refresh();
      return { ok: true, version };
    } catch (e) {
      return { ok: false, message: message(e) };
    }
  }

  open(version: VersionInfo, tab: VersionTab = 'cells'): void {
    const same = this.opened?.version.id === version.id;
    this.opened = { version, tab };
    if (!same) {
      this.content = null;
      this.comparison = null;
      this.loadChanges(version);
    }
    this.load(tab);
  }

  show(tab: VersionTab): void {
    if (!this.opened) return;
    this.opened = { ...this.opened, tab };
    this.load(tab);
  }

  close(): void {
    this.opened = null;
    this.content = null;
    this.comparison = null;
    this.changes = null;
  }

  /** A version's changes are fixed once it is stored: read once per opening. */
  private loadChanges(v: VersionInfo): void {
    this.changes = { status: 'loading' };
    void versionChanges(this.notebookId, v.id).then(
      (value) => this.opened?.version.id === v.id && (this.changes = { status: 'ready', value }),
      (e: unknown) =>
        this.opened?.version.id === v.id && (this.changes = { status: 'error', message: message(e) })
    );
  }

  /** Loads what `tab` shows, unless it is loaded (the comparison again when asked to or out of date). */
  load(tab: VersionTab, again = false): void {
    const v = this.opened?.version;
    if (!v) return;
    if (tab === 'cells') {
      if (this.content && this.content.status !== 'error' && !again) return;
      this.content = { status: 'loading' };
      void openVersion(this.notebookId, v.id).then(
        (value) => this.opened?.version.id === v.id && (this.content = { status: 'ready', value }),
        (e: unknown) =>
          this.opened?.version.id === v.id && (this.content = { status: 'error', message: message(e) })
      );
    } else {
      if (this.comparison && this.comparison.status !== 'error' && !again && !this.changedSinceCompare)
        return;
      this.comparison = { status: 'loading' };
      this.changedSinceCompare = false;
      void compareVersion(this.notebookId, v.id).then(
        (value) => this.opened?.version.id === v.id && (this.comparison = { status: 'ready', value }),
        (e: unknown) =>
          this.opened?.version.id === v.id && (this.comparison = { status: 'error', message: message(e) })
      );
    }
  }

  /** Restores `version` whole, or one cell of it; then the list and an open comparison are read again. */
  async restore(
    version: VersionInfo,
    cellId?: string
  ): Promise<{ ok: true } | { ok: false; message: string }> {
    try {
      const before = await restoreVersion(this.notebookId, version.id, cellId);
      const from = version.label ? `“${version.label}”` : `the version of ${exactTime(version.createdAt)}`;
      this.lastRestore = {
        what: cellId ? `A cell was restored from ${from}` : `The notebook was restored to ${from}`,
        before
      };
      await this.refresh();
      if (this.opened?.tab === 'compare') this.load('compare', true);
      return { ok: true };
    } catch (e) {
      return { ok: false, message: message(e) };
    }
  }
}
