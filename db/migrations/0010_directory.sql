-- The 211 resource directory, shaped after the Open Referral Human Services Data Specification 3.0:
-- one table per HSDS table, with its table and column names and its text (UUID string) ids.
-- Contact adds optional French columns (name_fr, description_fr, ...), imported and exported as
-- extra CSV columns. References that HSDS requires are foreign keys; optional ones are kept as
-- given (the specification's own example package points at rows it does not contain).

create schema directory;

-- Accents do not decide a match ("hebergement" finds "hébergement"): each language's configuration
-- strips them before stemming. unaccent is a trusted contrib extension shipped with PostgreSQL.
create extension if not exists unaccent;

create text search configuration directory.en (copy = pg_catalog.english);
alter text search configuration directory.en
    alter mapping for hword, hword_part, word with unaccent, english_stem;
create text search configuration directory.fr (copy = pg_catalog.french);
alter text search configuration directory.fr
    alter mapping for hword, hword_part, word with unaccent, french_stem;

create table directory.organizations (
    id                     text primary key,
    name                   text not null,
    alternate_name         text,
    description            text not null,
    email                  text,
    website                text,
    tax_status             text,
    tax_id                 text,
    year_incorporated      numeric,
    legal_status           text,
    logo                   text,
    uri                    text,
    parent_organization_id text,
    name_fr                text,
    description_fr         text
);

create table directory.programs (
    id              text primary key,
    organization_id text not null references directory.organizations (id) deferrable initially deferred,
    name            text not null,
    alternate_name  text,
    description     text not null
);

create table directory.services (
    id                         text primary key,
    organization_id            text not null references directory.organizations (id) deferrable initially deferred,
    program_id                 text,
    name                       text not null,
    alternate_name             text,
    description                text,
    url                        text,
    email                      text,
    status                     text not null check (status in ('active', 'inactive', 'defunct', 'temporarily closed')),
    interpretation_services    text,
    application_process        text,
    fees_description           text,
    wait_time                  text,
    fees                       text,
    accreditations             text,
    eligibility_description    text,
    minimum_age                numeric,
    maximum_age                numeric,
    assured_date               date,
    assurer_email              text,
    licenses                   text,
    alert                      text,
    last_modified              timestamptz,
    name_fr                    text,
    description_fr             text,
    eligibility_description_fr text,
    application_process_fr     text,
    fees_description_fr        text,
    -- What full-text search reads, weighted name (A) over alternate name (B) over description (C).
    search_en tsvector generated always as (
        setweight(to_tsvector('directory.en', coalesce(name, '')), 'A')
        || setweight(to_tsvector('directory.en', coalesce(alternate_name, '')), 'B')
        || setweight(to_tsvector('directory.en', coalesce(description, '') || ' ' || coalesce(eligibility_description, '')), 'C')) stored,
    search_fr tsvector generated always as (
        setweight(to_tsvector('directory.fr', coalesce(name_fr, name, '')), 'A')
        || setweight(to_tsvector('directory.fr', coalesce(alternate_name, '')), 'B')
        || setweight(to_tsvector('directory.fr', coalesce(description_fr, '') || ' ' || coalesce(eligibility_description_fr, '')), 'C')) stored,
    -- Whether the service is offered at a place (a location with coordinates); kept by the triggers below, not
    -- part of HSDS. A search around a point reads the services without one (phone lines, online services) from
    -- the partial index services_without_place instead of every service.
    has_place boolean not null default false
);
create index services_search_en on directory.services using gin (search_en);
create index services_search_fr on directory.services using gin (search_fr);
create index services_organization on directory.services (organization_id);
create index services_without_place on directory.services (id) where not has_place and status = 'active';

create table directory.locations (
    id                       text primary key,
    location_type            text not null check (location_type in ('physical', 'postal', 'virtual')),
    url                      text,
    organization_id          text,
    name                     text,
    alternate_name           text,
    description              text,
    transportation           text,
    latitude                 double precision,
    longitude                double precision,
    external_identifier      text,
    external_identifier_type text,
    name_fr                  text
);
-- Distance search draws a latitude/longitude box around the point and asks this index for the
-- locations inside it; the exact great-circle distance is then computed for those few only.
create index locations_point on directory.locations using gist (point(longitude, latitude))
    where latitude is not null and longitude is not null;

create table directory.service_at_location (
    id          text primary key,
    service_id  text not null references directory.services (id) deferrable initially deferred,
    location_id text not null references directory.locations (id) deferrable initially deferred,
    description text
);
create index service_at_location_service on directory.service_at_location (service_id);
create index service_at_location_location on directory.service_at_location (location_id);

create table directory.contacts (
    id                     text primary key,
    organization_id        text,
    service_id             text,
    service_at_location_id text,
    location_id            text,
    name                   text,
    title                  text,
    department             text,
    email                  text
);

create table directory.addresses (
    id             text primary key,
    location_id    text,
    attention      text,
    address_1      text not null,
    address_2      text,
    city           text not null,
    region         text,
    state_province text not null,
    postal_code    text not null,
    country        text not null,
    address_type   text not null check (address_type in ('physical', 'postal', 'virtual'))
);
create index addresses_location on directory.addresses (location_id);

create table directory.phones (
    id                     text primary key,
    location_id            text,
    service_id             text,
    organization_id        text,
    contact_id             text,
    service_at_location_id text,
    number                 text not null,
    extension              numeric,
    type                   text,
    description            text
);
create index phones_service on directory.phones (service_id);
create index phones_location on directory.phones (location_id);
create index phones_service_at_location on directory.phones (service_at_location_id);
create index phones_organization on directory.phones (organization_id);

create table directory.schedules (
    id                     text primary key,
    service_id             text,
    location_id            text,
    service_at_location_id text,
    valid_from             date,
    valid_to               date,
    dtstart                date,
    timezone               numeric,
    until                  date,
    count                  numeric,
    wkst                   text check (wkst in ('MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU')),
    freq                   text check (freq in ('WEEKLY', 'MONTHLY')),
    interval               numeric,
    byday                  text,
    byweekno               text,
    bymonthday             text,
    byyearday              text,
    description            text,
    opens_at               time,
    closes_at              time,
    schedule_link          text,
    attending_type         text,
    notes                  text,
    description_fr         text
);
create index schedules_service on directory.schedules (service_id);
create index schedules_service_at_location on directory.schedules (service_at_location_id);

create table directory.funding (
    id              text primary key,
    organization_id text,
    service_id      text,
    source          text
);

create table directory.service_areas (
    id          text primary key,
    service_id  text,
    name        text,
    description text,
    extent      text,
    extent_type text,
    uri         text,
    -- The rings of a GeoJSON Polygon or MultiPolygon extent (longitude, latitude), read at import; not part of
    -- HSDS. A point is inside the area when it is inside an odd number of rings (holes are rings too). Null when
    -- the area has no extent the importer reads (a name alone, KML, TopoJSON): such an area covers everywhere.
    extent_rings polygon[]
);
create index service_areas_service on directory.service_areas (service_id);

create table directory.required_documents (
    id         text primary key,
    service_id text,
    document   text,
    uri        text
);

create table directory.languages (
    id          text primary key,
    service_id  text,
    location_id text,
    phone_id    text,
    name        text,
    code        text,
    note        text
);
create index languages_service on directory.languages (service_id);

create table directory.accessibility (
    id          text primary key,
    location_id text,
    description text,
    details     text,
    url         text
);

create table directory.taxonomies (
    id          text primary key,
    name        text not null,
    description text not null,
    uri         text,
    version     text
);

create table directory.taxonomy_terms (
    id          text primary key,
    code        text unique,
    name        text not null,
    description text not null,
    parent_id   text,
    taxonomy    text,
    language    text,
    taxonomy_id text,
    term_uri    text,
    name_fr     text
);
-- A term finds its children by code (BD-1800 → BD-1800.2000) and by parent_id; a taxonomy is small
-- (AIRS/211 has about 9,000 terms), so the codes are compared in a scan and the parents by index.
create index taxonomy_terms_parent on directory.taxonomy_terms (parent_id);

create table directory.attributes (
    id               text primary key,
    link_id          text not null,
    taxonomy_term_id text not null references directory.taxonomy_terms (id) deferrable initially deferred,
    link_type        text,
    link_entity      text not null,
    value            text,
    label            text
);
create index attributes_term_link on directory.attributes (taxonomy_term_id, link_id) where link_entity = 'service';
create index attributes_link on directory.attributes (link_id, taxonomy_term_id);

create table directory.metadata (
    id                text primary key,
    resource_id       text not null,
    resource_type     text not null,
    last_action_date  date not null,
    last_action_type  text not null,
    field_name        text not null,
    previous_value    text not null,
    replacement_value text not null,
    updated_by        text not null
);

create table directory.meta_table_descriptions (
    id            text primary key,
    name          text,
    language      text,
    character_set text
);

create table directory.cost_options (
    id                 text primary key,
    service_id         text not null references directory.services (id) deferrable initially deferred,
    valid_from         date,
    valid_to           date,
    option             text,
    currency           text,
    amount             numeric,
    amount_description text
);

create table directory.organization_identifiers (
    id                text primary key,
    organization_id   text not null references directory.organizations (id) deferrable initially deferred,
    identifier_scheme text,
    identifier_type   text not null,
    identifier        text not null
);

-- Whether an HSDS schedule row applies on a date: within its validity, and on one of its week days
-- (WEEKLY, every interval-th week from dtstart) or month days (MONTHLY). Plain expressions only, so the
-- planner inlines it into the query that calls it.
create function directory.schedule_day(
    freq text, byday text, bymonthday text, interval_weeks numeric, dtstart date,
    valid_from date, valid_to date, until date, day date)
returns boolean
language sql immutable parallel safe
as $$
    select (valid_from is null or day >= valid_from)
        and (valid_to is null or day <= valid_to)
        and (until is null or day <= until)
        and (dtstart is null or day >= dtstart)
        and case coalesce(freq, 'WEEKLY')
            when 'WEEKLY' then
                (coalesce(byday, '') = ''
                 or (array['SU','MO','TU','WE','TH','FR','SA'])[extract(dow from day)::int + 1]
                    = any (string_to_array(replace(upper(byday), ' ', ''), ',')))
                and (coalesce(interval_weeks, 1) <= 1 or dtstart is null
                     or ((date_trunc('week', day::timestamp)::date - date_trunc('week', dtstart::timestamp)::date) / 7)
                        % interval_weeks::int = 0)
            when 'MONTHLY' then
                coalesce(bymonthday, '') <> ''
                and extract(day from day)::int::text = any (string_to_array(replace(bymonthday, ' ', ''), ','))
            else false
            end
$$;

-- Whether a schedule row is open at a local date and time (in the directory's time zone). A row without
-- both times is not known to be open. A row that closes at or before it opens runs past midnight
-- (00:00–00:00 is the whole day); the hours after midnight belong to the day it opened.
create function directory.schedule_open(
    freq text, byday text, bymonthday text, interval_weeks numeric, dtstart date,
    valid_from date, valid_to date, until date, opens_at time, closes_at time, local_at timestamp)
returns boolean
language sql immutable parallel safe
as $$
    select opens_at is not null and closes_at is not null
        and ((local_at::time >= opens_at and (local_at::time < closes_at or closes_at <= opens_at)
              and directory.schedule_day(freq, byday, bymonthday, interval_weeks, dtstart, valid_from, valid_to, until, local_at::date))
          or (closes_at < opens_at and local_at::time < closes_at
              and directory.schedule_day(freq, byday, bymonthday, interval_weeks, dtstart, valid_from, valid_to, until, local_at::date - 1)))
$$;

-- services.has_place follows the service's locations: a service_at_location added, moved or removed, or a
-- location added, moved or removed, refreshes the services concerned (once per statement, so an import
-- or a bulk insert costs one update).
create function directory.refresh_has_place(service_ids text[])
returns void
language sql
as $$
    update directory.services s
    set has_place = p.placed
    from (select x.id, exists (select 1 from directory.service_at_location sal
                               join directory.locations l on l.id = sal.location_id
                               where sal.service_id = x.id and l.latitude is not null and l.longitude is not null) as placed
          from (select distinct unnest(service_ids) as id) x) p
    where s.id = p.id and s.has_place is distinct from p.placed
$$;

create function directory.service_has_place() returns trigger
language plpgsql
as $$
begin
    new.has_place := exists (select 1 from directory.service_at_location sal
                             join directory.locations l on l.id = sal.location_id
                             where sal.service_id = new.id and l.latitude is not null and l.longitude is not null);
    return new;
end
$$;
create trigger services_has_place before insert on directory.services
    for each row execute function directory.service_has_place();

create function directory.service_at_location_changed() returns trigger
language plpgsql
as $$
begin
    if tg_op = 'INSERT' then
        perform directory.refresh_has_place(array(select service_id from new_rows));
    elsif tg_op = 'DELETE' then
        perform directory.refresh_has_place(array(select service_id from old_rows));
    else
        perform directory.refresh_has_place(array(select service_id from new_rows union select service_id from old_rows));
    end if;
    return null;
end
$$;
create trigger service_at_location_inserted after insert on directory.service_at_location
    referencing new table as new_rows for each statement execute function directory.service_at_location_changed();
create trigger service_at_location_updated after update on directory.service_at_location
    referencing new table as new_rows old table as old_rows for each statement execute function directory.service_at_location_changed();
create trigger service_at_location_deleted after delete on directory.service_at_location
    referencing old table as old_rows for each statement execute function directory.service_at_location_changed();

create function directory.service_at_location_truncated() returns trigger
language plpgsql
as $$
begin
    update directory.services set has_place = false where has_place;
    return null;
end
$$;
create trigger service_at_location_truncated after truncate on directory.service_at_location
    for each statement execute function directory.service_at_location_truncated();

create function directory.locations_changed() returns trigger
language plpgsql
as $$
begin
    if tg_op = 'INSERT' then
        perform directory.refresh_has_place(array(
            select sal.service_id from directory.service_at_location sal where sal.location_id in (select id from new_rows)));
    elsif tg_op = 'DELETE' then
        perform directory.refresh_has_place(array(
            select sal.service_id from directory.service_at_location sal where sal.location_id in (select id from old_rows)));
    else
        perform directory.refresh_has_place(array(
            select sal.service_id from directory.service_at_location sal
            where sal.location_id in (select id from new_rows union select id from old_rows)));
    end if;
    return null;
end
$$;
create trigger locations_inserted after insert on directory.locations
    referencing new table as new_rows for each statement execute function directory.locations_changed();
create trigger locations_updated after update on directory.locations
    referencing new table as new_rows old table as old_rows for each statement execute function directory.locations_changed();
create trigger locations_deleted after delete on directory.locations
    referencing old table as old_rows for each statement execute function directory.locations_changed();

-- Whether a service without a place serves a point: it has no service area (it serves everywhere), or one of
-- its areas has no extent read (a name alone: everywhere too), or one area's rings hold the point an odd
-- number of times (inside an outer ring and not in one of its holes).
create function directory.serves_point(service_id text, lon double precision, lat double precision)
returns boolean
language sql stable parallel safe
as $$
    select coalesce((select bool_or(sa.extent_rings is null
                                    or (select count(*) from unnest(sa.extent_rings) r where r @> point(lon, lat)) % 2 = 1)
                     from directory.service_areas sa where sa.service_id = serves_point.service_id), true)
$$;

-- Forward sortation areas (the first three characters of a Canadian postal code) and their
-- approximate centroids, so a postal code can stand for a point.
create table directory.postal_areas (
    fsa       text primary key check (fsa ~ '^[A-Z][0-9][A-Z]$'),
    name      text not null,
    latitude  double precision not null,
    longitude double precision not null
);

insert into directory.postal_areas (fsa, name, latitude, longitude) values
    ('K1A', 'Ottawa (Government of Canada)', 45.4215, -75.6990),
    ('K1B', 'Ottawa (Blackburn Hamlet)', 45.4290, -75.5650),
    ('K1C', 'Ottawa (Orléans West)', 45.4780, -75.5100),
    ('K1E', 'Ottawa (Orléans North)', 45.4800, -75.4720),
    ('K1G', 'Ottawa (Alta Vista East)', 45.4010, -75.6280),
    ('K1H', 'Ottawa (Alta Vista)', 45.3930, -75.6650),
    ('K1J', 'Ottawa (Beacon Hill South)', 45.4350, -75.6150),
    ('K1K', 'Ottawa (Overbrook)', 45.4400, -75.6400),
    ('K1L', 'Ottawa (Vanier)', 45.4380, -75.6600),
    ('K1M', 'Ottawa (Rockcliffe Park)', 45.4450, -75.6800),
    ('K1N', 'Ottawa (Lowertown)', 45.4290, -75.6880),
    ('K1P', 'Ottawa (Downtown)', 45.4200, -75.6970),
    ('K1R', 'Ottawa (Centretown West)', 45.4110, -75.7080),
    ('K1S', 'Ottawa (The Glebe)', 45.4020, -75.6870),
    ('K1T', 'Ottawa (Blossom Park)', 45.3530, -75.6200),
    ('K1V', 'Ottawa (Riverside Park)', 45.3600, -75.6600),
    ('K1W', 'Ottawa (Orléans South)', 45.4520, -75.5450),
    ('K1X', 'Ottawa (Leitrim)', 45.3200, -75.5800),
    ('K1Y', 'Ottawa (Hintonburg)', 45.4000, -75.7300),
    ('K1Z', 'Ottawa (Westboro)', 45.3880, -75.7450),
    ('K2A', 'Ottawa (Highland Park)', 45.3780, -75.7750),
    ('K2B', 'Ottawa (Britannia)', 45.3650, -75.7950),
    ('K2C', 'Ottawa (Carleton Heights)', 45.3500, -75.7450),
    ('K2E', 'Ottawa (Merivale)', 45.3400, -75.7200),
    ('K2G', 'Ottawa (Craig Henry)', 45.3380, -75.7550),
    ('K2H', 'Ottawa (Bells Corners)', 45.3300, -75.8000),
    ('K2J', 'Ottawa (Barrhaven)', 45.2750, -75.7400),
    ('K2K', 'Ottawa (Kanata North)', 45.3500, -75.9100),
    ('K2L', 'Ottawa (Kanata)', 45.3100, -75.8900),
    ('K2M', 'Ottawa (Kanata South)', 45.2950, -75.8700),
    ('K2P', 'Ottawa (Centretown)', 45.4150, -75.6900),
    ('K2R', 'Ottawa (Nepean South)', 45.2900, -75.7800),
    ('K2S', 'Ottawa (Stittsville)', 45.2600, -75.9200),
    ('K2T', 'Ottawa (Kanata Lakes)', 45.3300, -75.9200),
    ('K2V', 'Ottawa (Kanata West)', 45.3000, -75.9100),
    ('K2W', 'Ottawa (Kanata Northwest)', 45.3700, -75.9700),
    ('K4A', 'Ottawa (Orléans East)', 45.4700, -75.4800),
    ('K4B', 'Ottawa (Navan)', 45.4300, -75.4200),
    ('K4C', 'Ottawa (Cumberland)', 45.5200, -75.4200),
    ('K4M', 'Ottawa (Manotick)', 45.2270, -75.6830),
    ('K4P', 'Ottawa (Greely)', 45.2600, -75.5600),
    ('K4R', 'Russell', 45.2580, -75.3600),
    ('J8L', 'Gatineau (Buckingham)', 45.5880, -75.4170),
    ('J8M', 'Gatineau (Masson-Angers)', 45.5400, -75.4200),
    ('J8P', 'Gatineau (Gatineau East)', 45.4900, -75.6000),
    ('J8R', 'Gatineau (Templeton)', 45.4950, -75.5600),
    ('J8T', 'Gatineau (Gatineau Centre)', 45.4750, -75.6900),
    ('J8V', 'Gatineau (Touraine)', 45.4900, -75.6500),
    ('J8X', 'Gatineau (Hull Centre)', 45.4280, -75.7150),
    ('J8Y', 'Gatineau (Hull)', 45.4400, -75.7350),
    ('J8Z', 'Gatineau (Hull West)', 45.4500, -75.7650),
    ('J9A', 'Gatineau (Plateau)', 45.4450, -75.7950),
    ('J9H', 'Gatineau (Aylmer)', 45.4000, -75.8500),
    ('J9J', 'Gatineau (Aylmer West)', 45.4200, -75.8800),
    ('M5V', 'Toronto (Entertainment District)', 43.6420, -79.3950),
    ('H2X', 'Montréal (Quartier des spectacles)', 45.5110, -73.5680);
