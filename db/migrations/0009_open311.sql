-- Open311 GeoReport v2: the API keys third-party apps file requests with, and what a request filed
-- through Open311 carries besides an ordinary case.

-- Keys are 256-bit random values shown once; only their SHA-256 is kept (a fast hash is right for
-- high-entropy secrets: nothing to guess), with a short prefix so people can tell keys apart.
create table api_keys (
    id         integer generated always as identity primary key,
    name       text not null unique check (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    key_hash   bytea not null unique check (length(key_hash) = 32),
    prefix     text not null check (length(prefix) between 1 and 16),
    created_at timestamptz not null,
    revoked_at timestamptz
);

alter table cases
    -- Which key filed the case (Open311 only).
    add column api_key_id    integer references api_keys (id),
    -- The filing app's device and account ids: private, never listed.
    add column device_id     text check (length(device_id) <= 200),
    add column account_id    text check (length(account_id) <= 200),
    -- The jurisdiction's address-repository id, when the app located the request that way.
    add column address_id    text check (length(address_id) <= 200),
    -- What GET tokens/{token} answers with the case's number.
    add column open311_token text unique check (open311_token ~ '^[A-Za-z0-9_-]{16,64}$');

-- GET requests: a category (service_code) and a window of requested_datetime, newest first.
create index cases_by_category_created on cases (category_id, created_at desc, id desc) include (status);
-- GET requests over every service: the newest cases first, whatever their category.
create index cases_by_created on cases (created_at desc, id desc);
