-- Notebook documents: an append-only log of Yjs updates, compacted into a snapshot.

create table doc_updates (
  seq bigint generated always as identity primary key,
  notebook_id text not null references notebooks (id) on delete cascade,
  update bytea not null,
  created_at timestamptz not null default now()
);
create index doc_updates_notebook_idx on doc_updates (notebook_id, seq);

-- state merges every update with seq <= upto_seq.
create table doc_snapshots (
  notebook_id text primary key references notebooks (id) on delete cascade,
  state bytea not null,
  upto_seq bigint not null,
  updated_at timestamptz not null default now()
);
