-- Information and referral (211): the needs a person has, the community services they were referred to (as
-- the directory described them at that moment), and the follow-ups that check back later. All of it is about a
-- person's circumstances: staff only, never public.

-- Risk to life: the crisis line is offered at once and the case goes first in its queue (it is made urgent).
alter table cases add column crisis boolean not null default false;

-- A need, as a taxonomy term, with the term's name as it read when recorded. An unmet need says why.
create table case_needs (
    id            bigint generated always as identity primary key,
    case_id       bigint not null references cases (id),
    taxonomy_code text not null check (length(taxonomy_code) between 1 and 64),
    term_name     text not null check (length(term_name) between 1 and 300),
    status        text not null default 'open' check (status in ('open', 'met', 'unmet')),
    unmet_reason  text check (unmet_reason in ('no_service_found', 'not_eligible', 'waitlist_full', 'service_unavailable', 'declined', 'other')),
    note          text not null default '' check (length(note) <= 4000),
    recorded_by   text not null,
    recorded_at   timestamptz not null,
    updated_by    text not null,
    updated_at    timestamptz not null,
    check ((status = 'unmet') = (unmet_reason is not null))
);

create unique index case_needs_once on case_needs (case_id, taxonomy_code);

-- A referral to one service at one location. details is the service as it was given to the person (name,
-- organization, address, phone, hours, eligibility, fees): copied from the directory at that moment and never
-- joined to it again, so a later change to the directory does not rewrite what was said.
-- The needs report counts by the time a need was recorded.
create index case_needs_recorded on case_needs (recorded_at);

create table service_referrals (
    id                     bigint generated always as identity primary key,
    case_id                bigint not null references cases (id),
    need_id                bigint references case_needs (id),
    service_id             text not null,
    location_id            text,
    service_at_location_id text,
    details                jsonb not null check (jsonb_typeof(details) = 'object'),
    referred_by            text not null,
    referred_at            timestamptz not null,
    -- The text that told the person about it, once sent: each referral is sent once.
    outbox_id              bigint references outbox (id),
    sent_at                timestamptz
);

create unique index service_referrals_once on service_referrals (case_id, service_id, coalesce(location_id, ''));
create index service_referrals_case on service_referrals (case_id, id);

-- Checking back later. The row is the truth: a job scheduled at due_at fires it, and a sweep fires any due one
-- whose job was lost; firing claims the row (scheduled → due | asked), so it happens once.
create table follow_ups (
    id                 bigint generated always as identity primary key,
    case_id            bigint not null references cases (id),
    due_at             timestamptz not null,
    method             text not null check (method in ('queue', 'text')),
    status             text not null default 'scheduled'
                       -- unanswered: a question asked by text that got no answer in time; the case went to the queue instead.
                       check (status in ('scheduled', 'due', 'asked', 'answered_yes', 'answered_no', 'unanswered', 'cancelled')),
    question_outbox_id bigint references outbox (id),
    created_by         text not null,
    created_at         timestamptz not null,
    fired_at           timestamptz,
    answered_at        timestamptz
);

create unique index follow_ups_one_scheduled on follow_ups (case_id) where status = 'scheduled';
create index follow_ups_due on follow_ups (due_at) where status = 'scheduled';
create index follow_ups_asked on follow_ups (case_id) where status = 'asked';
create index follow_ups_waiting on follow_ups (fired_at) where status = 'asked';
create index follow_ups_case on follow_ups (case_id, id);
