-- Versions of a notebook: self-contained Yjs states (Y.encodeStateAsUpdate), so compacting the update log, which
-- garbage-collects deleted content, never affects them. Named and publish versions are kept forever; the others
-- are thinned with age by housekeeping (server/versions/retention.ts).
create table doc_versions (
  id bigint generated always as identity primary key,
  notebook_id text not null references notebooks (id) on delete cascade,
  kind text not null check (kind in ('auto', 'named', 'publish', 'restore', 'assistant')),
  label text,
  created_by text references users (id) on delete set null,
  created_at timestamptz not null default now(),
  state bytea not null,
  -- Y.encodeSnapshot of the state (its vector and delete set, a few bytes): tells a loading room whether the
  -- document changed since its last version without reading the state.
  snapshot bytea not null,
  -- User ids of the people whose edits were stored since the previous version (a JSON array).
  editors jsonb not null default '[]',
  -- Cells added, removed, changed and moved since the previous version.
  summary jsonb not null
);
create index doc_versions_notebook_idx on doc_versions (notebook_id, id);
