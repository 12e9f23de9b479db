-- ASP.NET Core data-protection keys (antiforgery tokens, sign-in cookies), shared by every host
-- so a form rendered by one host can be posted to another.
create table data_protection_keys (
    id            integer generated always as identity primary key,
    friendly_name text not null unique,
    xml           text not null,
    created_at    timestamptz not null default now()
);
