-- Failed staff sign-ins, counted per user name from one client address and per client address: a wrong
-- password locks that name from that address only, so nobody can lock a colleague out from elsewhere.
-- Names that do not exist are counted the same way, so the answers do not tell which names do.
create table sign_in_failures (
    key             text primary key check (length(key) <= 200),
    failures        integer not null,
    first_failed_at timestamptz not null,
    locked_until    timestamptz
);

-- An account is no longer locked as a whole (that let anyone lock any agent out).
alter table staff_users drop column failed_sign_ins, drop column locked_until;
