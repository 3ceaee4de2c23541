-- The latest stored result of each SQL cell, as an Arrow IPC stream on disk, so co-editors and dashboards see
-- it without re-running. One row per cell: a new run replaces the old result.
create table results (
  notebook_id text not null references notebooks (id) on delete cascade,
  cell_id text not null,
  run_id text not null,
  bytes bigint not null,
  created_by text references users (id) on delete set null,
  created_at timestamptz not null default now(),
  primary key (notebook_id, cell_id)
);
