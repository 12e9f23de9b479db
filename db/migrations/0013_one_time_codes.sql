-- One-time codes: proof that a person holds the phone (later the email) on record for a subject, such as
-- "case:1234567". A code is kept only as a salted SHA-256 hash, lives 10 minutes and is used once; wrong
-- entries are counted per subject across codes, and the fifth locks the subject to lookups for an hour.
create table one_time_codes (
    subject          text primary key check (length(subject) <= 200),
    destination      text not null,
    code_hash        bytea,
    salt             bytea,
    sent_at          timestamptz not null,
    expires_at       timestamptz not null,
    failed_attempts  integer not null default 0 check (failed_attempts >= 0),
    locked_until     timestamptz
);
