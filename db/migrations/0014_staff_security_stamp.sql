-- A member's security stamp changes whenever their password is set or their account is disabled or enabled;
-- a staff cookie carries the stamp it was issued with and is refused once the two differ.
alter table staff_users add column security_stamp uuid not null default gen_random_uuid();
