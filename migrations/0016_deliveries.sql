-- Dashboards that come to people (issue 24): subscriptions to a published dashboard (a member's email, or a chat
-- webhook an editor added), alerts on its numbers, the outbox every outgoing message goes through, and the log of
-- what each delivery attempt did.

-- Who receives a dashboard. An email subscription is a member's own (their address is read from `users` when
-- sending, and only while they are a member); a webhook's URL is sealed under SECRET_KEY (bound to the row's id)
-- like connection passwords. `alert_id` set: the subscription receives that alert's notices only.
create table subscriptions (
  id text primary key,
  notebook_id text not null references notebooks (id) on delete cascade,
  channel text not null check (channel in ('email', 'webhook')),
  user_id text not null references users (id) on delete cascade,
  webhook_sealed text,
  webhook_host text,
  cadence text not null check (cadence in ('refresh', 'daily', 'weekly', 'alert')),
  minute_of_day int check (minute_of_day between 0 and 1439),
  weekday int check (weekday between 0 and 6),
  time_zone text,
  next_at timestamptz,
  alert_id text,
  created_at timestamptz not null default now(),
  check ((channel = 'webhook') = (webhook_sealed is not null))
);
create index subscriptions_notebook_idx on subscriptions (notebook_id);
create index subscriptions_due_idx on subscriptions (next_at) where next_at is not null;

-- "when <column> <op> <value>" or "changes by more than N% since the last refresh", on a number card's or a
-- query's result; `crossed` and `last_value` are what the last refresh saw, so a notice goes out once per crossing.
create table alerts (
  id text primary key,
  notebook_id text not null references notebooks (id) on delete cascade,
  created_by text not null references users (id) on delete cascade,
  cell_name text not null,
  column_name text not null,
  rule text not null check (rule in ('threshold', 'change')),
  op text check (op in ('>', '>=', '<', '<=', '=', '<>')),
  value double precision,
  percent double precision,
  crossed boolean not null default false,
  last_value double precision,
  created_at timestamptz not null default now()
);
create index alerts_notebook_idx on alerts (notebook_id);
alter table subscriptions add foreign key (alert_id) references alerts (id) on delete cascade;

-- A failing scheduled refresh tells the dashboard's editors once, then again when it recovers or a day later.
alter table publications add column failure_notified_at timestamptz;

-- Per-person settings for mail about comments.
create table notification_settings (
  user_id text primary key references users (id) on delete cascade,
  mention_emails boolean not null default true
);

-- Every outgoing message, claimed by one server at a time (`for update skip locked`), composed when sent (so it
-- shows the dashboard as it is then), retried with backoff up to a bound. Recipients are resolved when sending:
-- a deleted subscription or a person no longer in the workspace gets nothing.
create table delivery_outbox (
  id bigint generated always as identity primary key,
  notebook_id text references notebooks (id) on delete cascade,
  subscription_id text references subscriptions (id) on delete cascade,
  user_id text references users (id) on delete cascade,
  content jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'sent', 'failed', 'dropped')),
  attempts int not null default 0,
  next_attempt_at timestamptz not null default now(),
  claimed_until timestamptz,
  created_at timestamptz not null default now(),
  check (subscription_id is not null or user_id is not null)
);
create index delivery_outbox_due_idx on delivery_outbox (next_attempt_at) where status = 'pending';

-- What each attempt did, for the dashboard's editors: sent, retried (with why) or failed for good (with why).
create table delivery_log (
  id bigint generated always as identity primary key,
  -- Kept when the message goes (an unsubscribe removes what was queued for it): the log is the editors' record.
  outbox_id bigint references delivery_outbox (id) on delete set null,
  notebook_id text references notebooks (id) on delete cascade,
  at timestamptz not null default now(),
  outcome text not null check (outcome in ('sent', 'retried', 'failed', 'dropped')),
  recipient text not null,
  what text not null,
  reason text
);
create index delivery_log_notebook_idx on delivery_log (notebook_id, at desc);
