-- Texting: SMS conversations, opt-outs, and the outbox every message to a resident goes through.

-- One conversation per phone number; any host answers the next text. It ends after 30 minutes of silence.
create table sms_conversations (
    phone       text primary key check (phone ~ '^\+[1-9][0-9]{6,14}$'),
    language    text not null check (language in ('en', 'fr')),
    state       jsonb not null default '{}' check (jsonb_typeof(state) = 'object'),
    case_id     bigint references cases (id),
    started_at  timestamptz not null,
    updated_at  timestamptz not null
);

-- Numbers that texted STOP (or that Twilio reports as opted out): sent nothing until START.
create table sms_opt_outs (
    phone        text primary key check (phone ~ '^\+[1-9][0-9]{6,14}$'),
    keyword      text not null,
    opted_out_at timestamptz not null
);

-- Inbound messages already handled, by MessageSid: a retried webhook is answered once.
create table sms_inbound (
    message_sid text primary key check (length(message_sid) <= 64),
    phone       text not null,
    body        text not null,
    reply       text not null,
    received_at timestamptz not null
);

-- Every message to a resident, written in the transaction of the change that causes it, delivered by a job.
create table outbox (
    id                  bigint generated always as identity primary key,
    case_id             bigint references cases (id),
    channel             text not null default 'sms' check (channel in ('sms')),
    to_address          text not null,
    language            text not null check (language in ('en', 'fr')),
    kind                text not null,
    body                text not null check (length(body) <= 1600),
    status              text not null default 'pending'
                        check (status in ('pending', 'sending', 'sent', 'queued', 'delivered', 'undelivered', 'failed', 'cancelled')),
    attempts            integer not null default 0,
    next_attempt_at     timestamptz not null,
    provider_message_id text unique,
    last_error          text,
    created_at          timestamptz not null,
    updated_at          timestamptz not null
);

create index outbox_due on outbox (next_attempt_at) where status in ('pending', 'sending');
create index outbox_case on outbox (case_id);

-- Each attempt to hand a message to Twilio, and each status Twilio reported.
create table outbox_attempts (
    id          bigint generated always as identity primary key,
    outbox_id   bigint not null references outbox (id),
    at          timestamptz not null,
    outcome     text not null,
    http_status integer,
    error_code  integer,
    detail      text
);

create index outbox_attempts_message on outbox_attempts (outbox_id, id);
