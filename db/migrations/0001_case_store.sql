-- The case store: catalog, cases and their append-only history.

-- Which seed data (e.g. the demo catalog) was loaded, by checksum, so a start-up loads it only when it changed.
create table seed_state (
    name       text primary key,
    checksum   text not null,
    applied_at timestamptz not null default now()
);

-- Providers: who is responsible for a service, at every order of government.
create table providers (
    id          integer generated always as identity primary key,
    code        text not null unique check (code ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    level       text not null check (level in ('municipal', 'provincial', 'federal', 'community')),
    name_en     text not null,
    name_fr     text not null,
    phone       text,
    email       text,
    website     text,
    active      boolean not null default true
);

-- Groups: how the catalog is browsed ("Roads and sidewalks", "Food").
create table category_groups (
    id          integer generated always as identity primary key,
    code        text not null unique check (code ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    line        text not null check (line in ('311', '211')),
    name_en     text not null,
    name_fr     text not null,
    sort        integer not null default 0
);

-- Categories: the services a resident can ask for, the same on every channel.
create table categories (
    id                integer generated always as identity primary key,
    code              text not null unique check (code ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    line              text not null check (line in ('311', '211')),
    group_id          integer not null references category_groups (id),
    name_en           text not null,
    name_fr           text not null,
    description_en    text not null default '',
    description_fr    text not null default '',
    keywords_en       text[] not null default '{}',
    keywords_fr       text[] not null default '{}',
    -- Public categories are about places (Open311 may list them); private ones are about people.
    is_public         boolean not null,
    location_required boolean not null default true,
    -- AIRS/211 taxonomy code for 211 categories, e.g. BD-1800.2000.
    taxonomy_code     text,
    default_priority  text not null default 'normal' check (default_priority in ('low', 'normal', 'high', 'urgent')),
    active            boolean not null default true,
    sort              integer not null default 0,
    -- 211 is about people's circumstances: never public.
    check (line = '311' or not is_public)
);

-- Questions asked for a category, with Open311 GeoReport v2 data types.
create table category_questions (
    category_id   integer not null references categories (id) on delete cascade,
    code          text not null check (code ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    datatype      text not null check (datatype in ('string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist')),
    required      boolean not null default false,
    prompt_en     text not null,
    prompt_fr     text not null,
    help_en       text not null default '',
    help_fr       text not null default '',
    -- [{ "key": "...", "en": "...", "fr": "..." }] for the list types.
    choices       jsonb not null default '[]',
    sort          integer not null default 0,
    primary key (category_id, code),
    check ((datatype in ('singlevaluelist', 'multivaluelist')) = (jsonb_array_length(choices) > 0))
);

-- Service clusters and life events: services grouped the way residents think.
create table clusters (
    id             integer generated always as identity primary key,
    code           text not null unique check (code ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    kind           text not null check (kind in ('life_event', 'cluster')),
    name_en        text not null,
    name_fr        text not null,
    description_en text not null default '',
    description_fr text not null default '',
    sort           integer not null default 0
);

create table cluster_categories (
    cluster_id  integer not null references clusters (id) on delete cascade,
    category_id integer not null references categories (id) on delete cascade,
    primary key (cluster_id, category_id)
);

-- Which provider serves which category.
create table provider_categories (
    provider_id integer not null references providers (id) on delete cascade,
    category_id integer not null references categories (id) on delete cascade,
    primary key (provider_id, category_id)
);

-- Case numbers: a sequence of 6 to 9 digits followed by a Damm check digit, so every
-- single mistyped digit and every swap of two neighbouring digits is caught.
create sequence case_number_seq as bigint minvalue 100000 maxvalue 999999999 start 100000 no cycle;

create function damm_check_digit(digits text) returns integer
language plpgsql immutable strict parallel safe as $$
declare
    -- The Damm operation table (a totally anti-symmetric quasigroup of order 10), row-major.
    t constant smallint[] := array[
        0,3,1,7,5,9,8,6,4,2,
        7,0,9,2,1,5,4,8,6,3,
        4,2,0,6,8,7,1,3,5,9,
        1,7,5,0,9,8,3,4,2,6,
        6,1,2,3,0,4,5,9,7,8,
        3,6,7,4,2,0,9,5,8,1,
        5,8,6,9,7,2,0,1,3,4,
        8,9,4,5,3,6,2,0,1,7,
        9,4,3,8,6,1,7,2,0,5,
        2,5,8,1,4,3,6,7,9,0];
    interim integer := 0;
    i integer;
begin
    if digits !~ '^[0-9]+$' then
        raise exception 'damm_check_digit: % is not a string of digits', digits;
    end if;
    for i in 1 .. length(digits) loop
        interim := t[interim * 10 + (ascii(substr(digits, i, 1)) - 48) + 1];
    end loop;
    return interim;
end
$$;

create function next_case_number() returns text
language plpgsql volatile as $$
declare
    s text := nextval('case_number_seq')::text;
begin
    return s || damm_check_digit(s)::text;
end
$$;

create table cases (
    id               bigint generated always as identity primary key,
    number           text not null unique default next_case_number() check (number ~ '^[1-9][0-9]{6,9}$'),
    line             text not null check (line in ('311', '211')),
    channel          text not null check (channel in ('web', 'phone', 'sms', 'open311', 'agent')),
    category_id      integer not null references categories (id),
    description      text not null default '' check (length(description) <= 4000),
    -- Answers to the category's questions: { "code": "value" | ["v1", "v2"] }.
    answers          jsonb not null default '{}' check (jsonb_typeof(answers) = 'object'),
    address          text check (length(address) <= 500),
    latitude         double precision check (latitude between -90 and 90),
    longitude        double precision check (longitude between -180 and 180),
    resident_name    text check (length(resident_name) <= 200),
    resident_phone   text check (resident_phone ~ '^\+[1-9][0-9]{6,14}$'),
    resident_email   text check (length(resident_email) <= 254),
    language         text not null check (language in ('en', 'fr')),
    notify_consent   boolean not null default false,
    status           text not null default 'new'
                     check (status in ('new', 'in_progress', 'waiting_on_resident', 'referred', 'resolved', 'closed')),
    priority         text not null default 'normal' check (priority in ('low', 'normal', 'high', 'urgent')),
    -- A client's key for one submission: a retried submission answers the case it made.
    idempotency_key  text unique check (length(idempotency_key) <= 200),
    created_at       timestamptz not null,
    updated_at       timestamptz not null,
    check ((latitude is null) = (longitude is null))
);


-- Append-only history of every case. Written in the transaction of the change it records.
create table case_events (
    id          bigint generated always as identity primary key,
    case_id     bigint not null references cases (id),
    at          timestamptz not null,
    kind        text not null check (kind ~ '^[a-z][a-z_]{0,63}$'),
    -- 'resident', 'system', or a staff user name.
    actor       text not null,
    -- Public events may be shown to the resident and in open data; others are staff-only.
    is_public   boolean not null default false,
    data        jsonb not null default '{}' check (jsonb_typeof(data) = 'object')
);

create index case_events_case on case_events (case_id, id);

create function case_events_are_append_only() returns trigger
language plpgsql as $$
begin
    raise exception 'case_events is append-only: % is not allowed', tg_op
        using errcode = 'insufficient_privilege';
end
$$;

create trigger case_events_no_update_or_delete
    before update or delete on case_events
    for each row execute function case_events_are_append_only();

create trigger case_events_no_truncate
    before truncate on case_events
    for each statement execute function case_events_are_append_only();
