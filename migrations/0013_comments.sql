-- Comments on cells. They live here, not in the notebook's Yjs document: viewers may comment, and the room drops
-- every document update a viewer sends (ARCHITECTURE.md, "Comments"). A thread is keyed by its cell's id, so it
-- follows the cell when it moves and stays readable when the cell is deleted.
create table comment_threads (
  id bigint generated always as identity primary key,
  notebook_id text not null references notebooks (id) on delete cascade,
  cell_id text not null,
  -- An optional range of the cell's source: Y.RelativePosition of its start and end (base64 of
  -- Y.encodeRelativePosition) and the text it covered when the thread began. The browser resolves them.
  anchor_start text,
  anchor_end text,
  anchor_quote text,
  created_by text references users (id) on delete set null,
  created_at timestamptz not null default now(),
  resolved_at timestamptz,
  resolved_by text references users (id) on delete set null
);
create index comment_threads_notebook_idx on comment_threads (notebook_id, id);

create table comments (
  id bigint generated always as identity primary key,
  thread_id bigint not null references comment_threads (id) on delete cascade,
  author_id text references users (id) on delete set null,
  -- Markdown; mentions are written @{userId} and shown as the member's name.
  body text not null,
  created_at timestamptz not null default now(),
  edited_at timestamptz
);
create index comments_thread_idx on comments (thread_id, id);
-- The per-person rate limit counts the last minute's comments.
create index comments_author_time_idx on comments (author_id, created_at);

-- Who a comment mentions, for the mentions inbox; read_at is when they opened it.
create table comment_mentions (
  comment_id bigint not null references comments (id) on delete cascade,
  user_id text not null references users (id) on delete cascade,
  read_at timestamptz,
  primary key (comment_id, user_id)
);
create index comment_mentions_user_idx on comment_mentions (user_id, comment_id desc);

-- Every comment write (post, edit, delete, resolve) for the per-person rate limits; each write clears the same
-- person's rows older than a minute, so the table holds at most a minute of anyone's writes.
create table comment_writes (
  user_id text not null references users (id) on delete cascade,
  kind text not null check (kind in ('post', 'change')),
  created_at timestamptz not null default now()
);
create index comment_writes_user_idx on comment_writes (user_id, created_at);
