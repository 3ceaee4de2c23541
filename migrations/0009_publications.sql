-- Published dashboards: one publication per notebook, reached by an unguessable slug. The frozen document and the
-- snapshot folder (results and charts as shown) are what viewers get; refreshes replace the snapshot.
create table publications (
  notebook_id text primary key references notebooks (id) on delete cascade,
  slug text not null unique,
  visibility text not null check (visibility in ('public', 'members', 'off')),
  show_sql boolean not null default false,
  allow_fork boolean not null default false,
  schedule text not null default 'off' check (schedule in ('off', 'hourly', 'daily')),
  published_by text not null references users (id) on delete cascade,
  published_at timestamptz not null default now(),
  doc_state bytea not null,
  snapshot_id text,
  refreshed_at timestamptz,
  refresh_error text,
  refresh_failed_at timestamptz,
  next_refresh_at timestamptz
);
create index publications_due on publications (next_refresh_at) where schedule <> 'off';
