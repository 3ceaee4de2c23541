-- Rate limits shared by every app process (issue 23): one token bucket per key (login attempts per account and
-- network, sign-ups per network, dashboard viewers' re-runs…). Keys carry their limiter's name. `at_ms` is when
-- `tokens` was counted (milliseconds since the epoch); the bucket refills from there and is full again at
-- `full_at_ms`, after which the row says nothing a missing row would not: housekeeping deletes such rows. `ok` is
-- whether the last take succeeded, so one statement can take a token and say whether it did.
create table rate_limits (
  key text primary key,
  tokens double precision not null,
  at_ms double precision not null,
  full_at_ms double precision not null,
  ok boolean not null
);
create index rate_limits_full_idx on rate_limits (full_at_ms);
