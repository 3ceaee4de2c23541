// The versions API as the browser sees it, answered in the test's own process by the same cells/ functions the
// server uses (plainCells, compareDocs, restoreCell, restoreNotebook) over a live Y.Doc: the History components
// run against real comparisons and real restores, with only the HTTP hop and the database left out. Installed as
// `fetch`; it records each request so tests can check what the browser asked for.
import * as Y from 'yjs';
import { restoreCell, restoreNotebook } from '$cells/restore';
import { compareDocs, docFromState, plainCells } from '$cells/versions';
import type { VersionChanges, VersionInfo, VersionKind } from '$lib/history/api';

type Stored = { info: VersionInfo; state: Uint8Array };

const ADA = { id: 'u-ada', name: 'Ada' };

export class VersionsServer {
  readonly versions: Stored[] = [];
  readonly requests: { method: string; path: string; body: unknown }[] = [];
  /** Who changed what in each version, as the server would say (none recorded unless a test sets it). */
  readonly changes = new Map<number, VersionChanges>();
  private nextId = 1;

  constructor(
    readonly live: Y.Doc,
    readonly notebookId = 'nb-1'
  ) {}

  /** Stores the live document as a version, its summary against the newest before it (as the server does). */
  checkpoint(kind: VersionKind, label: string | null = null, at = new Date()): VersionInfo {
    const previous = this.versions[0];
    const before = previous ? docFromState(previous.state) : new Y.Doc();
    const summary = compareDocs(before, this.live, { lines: false }).summary;
    before.destroy();
    const info: VersionInfo = {
      id: this.nextId++,
      kind,
      label,
      createdBy: kind === 'auto' ? null : ADA,
      createdAt: at.toISOString(),
      editors: [ADA],
      summary
    };
    this.versions.unshift({ info, state: Y.encodeStateAsUpdate(this.live) });
    return info;
  }

  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input), 'http://sheaf.test');
    const method = init?.method ?? 'GET';
    const body = init?.body ? (JSON.parse(String(init.body)) as unknown) : undefined;
    this.requests.push({ method, path: url.pathname, body });
    const base = `/api/notebooks/${this.notebookId}/versions`;
    const rest = url.pathname.startsWith(base) ? url.pathname.slice(base.length) : null;
    if (rest === null) return error(404, 'Not found.');
    if (rest === '' && method === 'GET') return ok({ versions: this.versions.map((v) => v.info) });
    if (rest === '' && method === 'POST') {
      const label = String((body as { label?: unknown })?.label ?? '').trim();
      if (!label) return error(400, 'Give the version a name.');
      return ok({ version: this.checkpoint('named', label) }, 201);
    }
    const m = /^\/(\d+)(\/compare|\/restore|\/changes)?$/.exec(rest);
    const stored = m && this.versions.find((v) => v.info.id === Number(m[1]));
    if (!m || !stored) return error(404, 'That version was not found.');
    if (m[2] === '/changes') return ok(this.changes.get(stored.info.id) ?? { cells: [], people: [] });
    const doc = docFromState(stored.state);
    try {
      if (!m[2]) {
        const meta = doc.getMap('meta');
        return ok({
          version: stored.info,
          title: String(meta.get('title') ?? ''),
          description: '',
          cells: plainCells(doc),
          layout: []
        });
      }
      if (m[2] === '/compare') return ok(compareDocs(doc, this.live));
      const cellId = (body as { cellId?: string } | undefined)?.cellId;
      const what = stored.info.label ? `“${stored.info.label}”` : 'a version';
      const before = this.checkpoint(
        'restore',
        cellId ? `Before restoring a cell from ${what}` : `Before restoring ${what}`
      );
      if (cellId) restoreCell(this.live, doc, cellId);
      else restoreNotebook(this.live, doc);
      return ok({ before });
    } finally {
      doc.destroy();
    }
  };
}

const ok = (value: unknown, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });
const error = (status: number, message: string) => ok({ error: { code: 'bad', message } }, status);
