-- Who changed which service standard, business calendar or holiday, when, and what the row was before
-- and after (the admin API writes a row in the same transaction as every change). Holidays have no id of
-- their own: their entity_id is their calendar's.

create table sla_audit (
    id        bigint generated always as identity primary key,
    at        timestamptz not null,
    actor     text not null,
    entity    text not null check (entity in ('policy', 'calendar', 'holiday')),
    entity_id integer not null,
    action    text not null check (action in ('created', 'updated', 'deleted')),
    before    jsonb,
    after     jsonb
);

create index sla_audit_entity on sla_audit (entity, entity_id, id);
