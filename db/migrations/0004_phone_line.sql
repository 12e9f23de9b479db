-- The phone line: call progress kept in the database (any host answers the next step), webhook
-- replies kept by idempotency token (a retried webhook gets the same answer, no second side effect),
-- and media attached to cases (call recordings; later, MMS photos).

create table calls (
    call_sid    text primary key check (call_sid ~ '^[A-Za-z0-9]{2,64}$'),
    line        text check (line in ('311', '211')),
    language    text check (language in ('en', 'fr')),
    from_number text,
    to_number   text,
    -- Where the caller is in the menus, and what they said so far.
    state       jsonb not null default '{}' check (jsonb_typeof(state) = 'object'),
    case_id     bigint references cases (id),
    status      text not null default 'in-progress',
    -- TwiML waiting for the call when an agent answered it and no Twilio account can redirect it (the
    -- development phone); the queue's wait URL hands it over.
    connect_twiml text,
    created_at  timestamptz not null,
    updated_at  timestamptz not null
);

create table webhook_replies (
    token      text primary key check (length(token) <= 200),
    call_sid   text not null,
    reply      text not null,
    created_at timestamptz not null
);

create index webhook_replies_created on webhook_replies (created_at);

create table case_media (
    id           bigint generated always as identity primary key,
    case_id      bigint not null references cases (id),
    kind         text not null check (kind in ('recording', 'photo')),
    url          text not null check (length(url) <= 2000),
    content_type text,
    created_at   timestamptz not null
);

create index case_media_case on case_media (case_id);

create index calls_case on calls (case_id);

-- Where an agent takes calls: a phone number to dial (else their Twilio Client identity, the user name).
alter table staff_users add column phone text check (phone ~ '^\+[1-9][0-9]{6,14}$');
