-- Databases a workspace connects to. `settings` holds everything but the password, which is sealed with
-- AES-256-GCM (key from SECRET_KEY) in `secret`; the introspected schema is cached with the time it was read.
create table connections (
  id text primary key,
  workspace_id text not null references workspaces (id) on delete cascade,
  name text not null,
  kind text not null check (kind in ('postgres', 'mysql', 'duckdb')),
  settings jsonb not null,
  secret text,
  schema_cache jsonb,
  schema_fetched_at timestamptz,
  created_by text references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index connections_name_key on connections (workspace_id, lower(name));
