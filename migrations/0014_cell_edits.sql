-- Who changed which cell, and when: written by the collaboration server from the updates it applies (it knows
-- whose connection sent each one), never by clients. Coarse on purpose: one row per notebook, cell, person and
-- minute, so a burst of typing costs one row. `first_at`/`last_at` bound the edits the row stands for; a
-- version's changes are attributed from the rows overlapping the time since the version before
-- (server/authors/). Rows older than 180 days are pruned, except each person's newest row per cell, which is
-- what "last changed by" reads.
create table cell_edits (
  notebook_id text not null references notebooks (id) on delete cascade,
  cell_id text not null,
  user_id text not null references users (id) on delete cascade,
  minute timestamptz not null,
  first_at timestamptz not null,
  last_at timestamptz not null,
  primary key (notebook_id, cell_id, user_id, minute)
);
create index cell_edits_notebook_time_idx on cell_edits (notebook_id, last_at);
