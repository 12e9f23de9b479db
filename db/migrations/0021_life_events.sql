-- Tell us once: a life event asks its shared questions once, and each of its services receives only the shared
-- answers it is entitled to, plus its own questions' answers, as one referral to its provider.

-- Who delivers a service, named by its order of government: "Province of Ontario" · "ServiceOntario".
alter table providers
    add column government_en text not null default '',
    add column government_fr text not null default '';

-- A life event's own case category (its case is filed under it; it is never offered on its own), its line and
-- the words that start it by text.
alter table categories
    add column kind text not null default 'service' check (kind in ('service', 'life_event'));

alter table clusters
    add column line          text not null default '311' check (line in ('311', '211')),
    add column keywords_en   text[] not null default '{}',
    add column keywords_fr   text[] not null default '{}',
    add column category_id   integer unique references categories (id);

-- The questions a life event asks once, for all its services.
create table life_event_questions (
    cluster_id    integer not null references clusters (id) on delete cascade,
    code          text not null check (code ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    datatype      text not null check (datatype in ('string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist')),
    required      boolean not null default false,
    prompt_en     text not null,
    prompt_fr     text not null,
    help_en       text not null default '',
    help_fr       text not null default '',
    choices       jsonb not null default '[]',
    sort          integer not null default 0,
    primary key (cluster_id, code),
    check ((datatype in ('singlevaluelist', 'multivaluelist')) = (jsonb_array_length(choices) > 0))
);

-- Each service of a life event: the shared answers it receives (question codes, and "name", "phone", "email" for
-- the resident's contact details), whether an agent reviews its referral before it goes out, and the answers the
-- life event gives its own questions ({ "need": ["address"] }: a move is an address change, not asked again).
alter table cluster_categories
    add column receives text[] not null default '{}',
    add column review   boolean not null default false,
    add column preset   jsonb not null default '{}' check (jsonb_typeof(preset) = 'object'),
    add column sort     integer not null default 0;

-- A referral made by a life event: the service it is for, the data packet its provider receives (and nothing
-- else of the case), and its own service standard. 'review' waits for an agent before the provider sees it.
alter table referrals
    add column category_id  integer references categories (id),
    add column packet       jsonb check (packet is null or jsonb_typeof(packet) = 'object'),
    add column due_at       timestamptz;

alter table referrals drop constraint referrals_status_check;
alter table referrals add constraint referrals_status_check
    check (status in ('review', 'sent', 'accepted', 'declined', 'completed'));

-- One open referral per provider and service: ServiceOntario may get a health-card and a driver's-licence referral
-- from one move.
drop index referrals_one_open_per_provider;
create unique index referrals_one_open_per_provider on referrals (case_id, provider_id, coalesce(category_id, 0))
    where status in ('review', 'sent', 'accepted');
