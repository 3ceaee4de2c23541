-- An alert's notices can go to the dashboard's chat channels too. Such a subscription points at the channel's own
-- row (`via_subscription`): the webhook's URL stays sealed once, in that row, and removing the channel removes
-- its alert subscriptions with it.
alter table subscriptions add column via_subscription text references subscriptions (id) on delete cascade;
alter table subscriptions drop constraint subscriptions_check;
alter table subscriptions add constraint subscriptions_webhook_check
  check ((channel = 'webhook') = (webhook_sealed is not null or via_subscription is not null));
