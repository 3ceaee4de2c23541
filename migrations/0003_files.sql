-- Uploaded files: stored as Parquet, queryable as tables in every notebook of their workspace.
create table files (
  id text primary key,
  workspace_id text not null references workspaces (id) on delete cascade,
  table_name text not null,
  original_name text not null,
  format text not null check (format in ('csv', 'tsv', 'json', 'parquet')),
  size_bytes bigint not null,
  parquet_bytes bigint not null,
  row_count bigint not null,
  columns jsonb not null,
  created_by text references users (id) on delete set null,
  created_at timestamptz not null default now()
);
create unique index files_table_name_key on files (workspace_id, lower(table_name));
