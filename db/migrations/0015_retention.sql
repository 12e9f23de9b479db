-- Data retention: the nightly job removes a resident's personal data from a case some months after it was
-- resolved or closed, and stamps the case so that it is done once. The case itself (category, status, line,
-- channel, dates) and its history stay for the reports.
alter table cases add column redacted_at timestamptz;

-- The job's candidates: finished cases not yet redacted.
create index cases_to_redact on cases (id) where redacted_at is null and status in ('resolved', 'closed');

-- Texts and webhook state are cleared by age.
create index sms_inbound_received on sms_inbound (received_at);
create index sms_conversations_updated on sms_conversations (updated_at);
create index calls_updated on calls (updated_at);
