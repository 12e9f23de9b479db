-- Service standards: business calendars, SLA policies per category (optionally per priority), and each
-- case's due times, counted in business time and paused while the case waits on the resident.

create table business_calendars (
    id        integer generated always as identity primary key,
    code      text not null unique check (code ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    name_en   text not null,
    name_fr   text not null,
    time_zone text not null,
    -- Opening hours by weekday: { "monday": [["08:30", "16:30"]], ... }; a missing day is closed;
    -- ["00:00", "00:00"] is the whole day.
    hours     jsonb not null check (jsonb_typeof(hours) = 'object')
);

create table calendar_holidays (
    calendar_id integer not null references business_calendars (id) on delete cascade,
    date        date not null,
    name_en     text not null,
    name_fr     text not null,
    primary key (calendar_id, date)
);

create table sla_policies (
    id                    integer generated always as identity primary key,
    category_id           integer not null references categories (id),
    -- null: every priority without a policy of its own.
    priority              text check (priority in ('low', 'normal', 'high', 'urgent')),
    calendar_id           integer not null references business_calendars (id),
    first_response        interval not null check (first_response > interval '0'),
    resolution            interval not null check (resolution > interval '0'),
    warning_percent       integer not null default 80 check (warning_percent between 1 and 99),
    second_breach_percent integer not null default 150 check (second_breach_percent > 100),
    unique nulls not distinct (category_id, priority)
);

alter table cases
    add column sla_policy_id         integer references sla_policies (id),
    add column first_response_due_at timestamptz,
    add column resolution_due_at     timestamptz,
    add column first_response_at     timestamptz,
    add column sla_paused_at         timestamptz,
    -- Business time spent waiting on the resident, added to every target.
    add column sla_paused_for        interval not null default interval '0';

create index cases_resolution_due on cases (resolution_due_at) where status not in ('resolved', 'closed');
