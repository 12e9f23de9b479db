-- The agent desktop: staff, queues, claims, referrals to providers, and change notifications.

create table staff_users (
    id              integer generated always as identity primary key,
    user_name       text not null unique check (user_name ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
    display_name    text not null check (length(display_name) between 1 and 200),
    password_hash   text not null,
    role            text not null check (role in ('agent', 'supervisor', 'admin', 'provider')),
    provider_id     integer references providers (id),
    -- Skills: which lines and languages this person may work.
    lines           text[] not null default '{311,211}' check (lines <@ array['311', '211'] and cardinality(lines) > 0),
    languages       text[] not null default '{en}' check (languages <@ array['en', 'fr'] and cardinality(languages) > 0),
    state           text not null default 'away' check (state in ('available', 'away', 'busy')),
    failed_sign_ins integer not null default 0,
    locked_until    timestamptz,
    active          boolean not null default true,
    created_at      timestamptz not null default now(),
    check ((role = 'provider') = (provider_id is not null))
);

create table queues (
    code     text primary key,
    line     text check (line in ('311', '211')),
    language text check (language in ('en', 'fr')),
    name_en  text not null,
    name_fr  text not null,
    sort     integer not null
);

insert into queues (code, line, language, name_en, name_fr, sort) values
    ('311-en', '311', 'en', '311 English', '311 anglais', 1),
    ('311-fr', '311', 'fr', '311 French', '311 français', 2),
    ('211-en', '211', 'en', '211 English', '211 anglais', 3),
    ('211-fr', '211', 'fr', '211 French', '211 français', 4),
    ('escalations', null, null, 'Escalations', 'Escalades', 5);

alter table cases
    add column queue         text references queues (code),
    add column assigned_to   integer references staff_users (id),
    add column claimed_at    timestamptz,
    add column duplicate_of  bigint references cases (id),
    add column priority_rank smallint generated always as (
        case priority when 'urgent' then 0 when 'high' then 1 when 'normal' then 2 else 3 end) stored;

-- Every new case, on any channel, lands in the queue of its line and language as it is created.
create function cases_default_queue() returns trigger
language plpgsql as $$
begin
    if new.queue is null then
        new.queue := new.line || '-' || new.language;
    end if;
    return new;
end
$$;

create trigger cases_default_queue before insert on cases
    for each row execute function cases_default_queue();

update cases set queue = line || '-' || language where queue is null;
alter table cases alter column queue set not null;

-- The live queue: waiting cases by queue, priority, then age; each queue is read in index order and
-- the queues merged, so the table is never sorted whole.
create index cases_live_queue on cases (queue, priority_rank, created_at)
    where assigned_to is null and status not in ('resolved', 'closed');
create index cases_held on cases (assigned_to) where assigned_to is not null and status not in ('resolved', 'closed');
create index cases_open_by_category on cases (category_id, created_at) where status not in ('resolved', 'closed');

-- Where a provider serves, as polygons of (longitude, latitude); no area means everywhere.
create table provider_service_areas (
    id          integer generated always as identity primary key,
    provider_id integer not null references providers (id) on delete cascade,
    name        text not null,
    area        polygon not null
);

create index provider_service_areas_area on provider_service_areas using gist (area);

-- One report, every pertinent provider: each referral has its own status.
create table referrals (
    id            bigint generated always as identity primary key,
    case_id       bigint not null references cases (id),
    provider_id   integer not null references providers (id),
    status        text not null default 'sent' check (status in ('sent', 'accepted', 'declined', 'completed')),
    note          text not null default '' check (length(note) <= 4000),
    response_note text not null default '' check (length(response_note) <= 4000),
    referred_by   text not null,
    created_at    timestamptz not null,
    updated_at    timestamptz not null
);

create unique index referrals_one_open_per_provider on referrals (case_id, provider_id) where status in ('sent', 'accepted');
create index referrals_by_provider on referrals (provider_id, status, updated_at);
create index referrals_by_case on referrals (case_id);
