-- Every request to the AI assistant, for per-user rate limits and per-workspace usage.
create table ai_requests (
  id bigserial primary key,
  workspace_id text not null references workspaces (id) on delete cascade,
  user_id text not null references users (id) on delete cascade,
  notebook_id text,
  kind text not null,             -- 'generate' or 'fix'
  status text not null,           -- 'ok', 'invalid', 'failed', 'timeout'
  prompt_tokens integer,
  output_tokens integer,
  ms integer,
  created_at timestamptz not null default now()
);
create index ai_requests_user_time on ai_requests (user_id, created_at);
create index ai_requests_workspace_time on ai_requests (workspace_id, created_at);
