-- The outbox never blindly resends. A row a host claimed ("sending") and never finished becomes "uncertain":
-- it is looked up at Twilio (sent to its number from its line's number since it was claimed) before any resend.
-- claimed_at is when its latest delivery attempt began, the start of that lookup.
alter table outbox drop constraint outbox_status_check;
alter table outbox add constraint outbox_status_check
    check (status in ('pending', 'sending', 'uncertain', 'sent', 'queued', 'delivered', 'undelivered', 'failed', 'cancelled'));
alter table outbox add column claimed_at timestamptz;

drop index outbox_due;
create index outbox_due on outbox (next_attempt_at) where status in ('pending', 'sending', 'uncertain');

-- A side effect of a webhook that Twilio may deliver twice (a voice turn retried while the first still runs)
-- names itself; a second row with the same key is never written.
alter table outbox add column dedupe_key text check (length(dedupe_key) <= 200);
create unique index outbox_dedupe on outbox (dedupe_key) where dedupe_key is not null;
