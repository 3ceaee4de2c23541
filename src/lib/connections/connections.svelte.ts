// The workspace's database connections as the notebook sees them: names for the engine picker, and schemas
// (fetched on first use, refreshed on request) for the schema browser and autocomplete.
import { untrack } from 'svelte';
import { errorMessage } from '$lib/api-error';
import type { CachedSchema } from '$server/connectors/schema-cache';
import type { ConnectionSummary } from '$server/connectors/settings';

export type SchemaState =
  { status: 'loading' } | { status: 'ready'; schema: CachedSchema } | { status: 'error'; message: string };

export class WorkspaceConnections {
  list = $state.raw<ConnectionSummary[]>([]);
  role = $state<string>('viewer');
  loadError = $state('');
  schemas = $state<Record<string, SchemaState>>({});

  constructor(private readonly workspaceId: string) {}

  async load(): Promise<void> {
    const res = await fetch(`/api/workspaces/${this.workspaceId}/connections`);
    if (!res.ok) {
      this.loadError = await errorMessage(res, 'Could not load the connections');
      return;
    }
    const body = (await res.json()) as { role: string; connections: ConnectionSummary[] };
    this.list = body.connections;
    this.role = body.role;
    this.loadError = '';
  }

  name(id: string): string | undefined {
    return this.list.find((c) => c.id === id)?.name;
  }

  async loadSchema(id: string, refresh = false): Promise<void> {
    const now = untrack(() => this.schemas[id]?.status);
    if (now === 'loading' || (!refresh && now === 'ready')) return;
    this.schemas[id] = { status: 'loading' };
    try {
      const res = await fetch(`/api/connections/${id}/schema`, { method: refresh ? 'POST' : 'GET' });
      this.schemas[id] = res.ok
        ? { status: 'ready', schema: (await res.json()) as CachedSchema }
        : { status: 'error', message: await errorMessage(res, 'Could not read the schema') };
    } catch (e) {
      this.schemas[id] = { status: 'error', message: `Could not read the schema: ${(e as Error).message}` };
    }
  }

  /** Tables → columns, for autocomplete: qualified names always, bare names for the default schema. */
  completions(id: string): Record<string, string[]> {
    const s = this.schemas[id];
    if (s?.status !== 'ready') return {};
    const out: Record<string, string[]> = {};
    for (const t of s.schema.tables) {
      const cols = t.columns.map((c) => c.name);
      out[`${t.schema}.${t.name}`] = cols;
      if (t.schema === (s.schema.defaultSchema ?? 'public')) out[t.name] = cols;
    }
    return out;
  }
}
