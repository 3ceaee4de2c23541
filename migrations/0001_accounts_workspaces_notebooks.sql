-- Accounts, sessions, workspaces with roles, invitations and notebooks.

create table users (
  id text primary key,
  email text not null,
  name text not null,
  password_hash text not null,
  created_at timestamptz not null default now()
);
create unique index users_email_key on users (lower(email));

-- id is the SHA-256 (hex) of the session token; the token itself is never stored.
create table sessions (
  id text primary key,
  user_id text not null references users (id) on delete cascade,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
create index sessions_user_idx on sessions (user_id);

create table workspaces (
  id text primary key,
  name text not null,
  personal_of text references users (id) on delete cascade,
  created_at timestamptz not null default now()
);
create unique index workspaces_personal_key on workspaces (personal_of) where personal_of is not null;

create table memberships (
  workspace_id text not null references workspaces (id) on delete cascade,
  user_id text not null references users (id) on delete cascade,
  role text not null check (role in ('owner', 'editor', 'viewer')),
  created_at timestamptz not null default now(),
  primary key (workspace_id, user_id)
);
create index memberships_user_idx on memberships (user_id);

-- id is the SHA-256 (hex) of the invite token in the link.
create table invites (
  id text primary key,
  workspace_id text not null references workspaces (id) on delete cascade,
  role text not null check (role in ('editor', 'viewer')),
  created_by text not null references users (id) on delete cascade,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);

create table notebooks (
  id text primary key,
  workspace_id text not null references workspaces (id) on delete cascade,
  title text not null,
  created_by text references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz
);
create index notebooks_workspace_idx on notebooks (workspace_id, updated_at desc);
