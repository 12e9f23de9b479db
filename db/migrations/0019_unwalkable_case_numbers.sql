-- Case numbers that cannot be walked. Until now a number was the next value of a sequence plus its check
-- digit, so from one number anyone could count up through every other. From here a number is the next
-- index (0, 1, 2 ...) put through a keyed permutation of the 900 million nine-digit numbers (a four-round
-- Feistel network on 30 bits, walked back into the range), plus the Damm check digit: ten digits, every
-- one distinct, in no order anyone can follow; with a million cases, about one guess in 900 is a case at
-- all. Numbers already given keep working; none can be given twice.

create table case_number_key (
    only_row boolean primary key default true check (only_row),
    -- 256 bits from two random UUIDs (gen_random_uuid is the server's strong random source).
    secret   text not null check (length(secret) >= 32)
);
insert into case_number_key (secret)
values (replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));

create sequence case_number_index as bigint minvalue 0 maxvalue 899999999 start 0 no cycle;

-- A permutation of 0 .. 899 999 999 under the secret.
create function case_number_permute(x bigint, secret text) returns bigint
language plpgsql immutable strict parallel safe as $$
declare
    l bigint;
    r bigint;
    t bigint;
    i integer;
begin
    if x < 0 or x >= 900000000 then
        raise exception 'case_number_permute: % is outside 0 .. 899999999', x;
    end if;
    loop
        l := x >> 15;
        r := x & 32767;
        for i in 1 .. 4 loop
            t := l # (('x' || substr(md5(secret || ':' || i || ':' || r), 1, 4))::bit(16)::integer & 32767);
            l := r;
            r := t;
        end loop;
        x := (l << 15) | r;
        -- A permutation of 2^30 values, followed until it lands back in range, is a permutation of the range.
        exit when x < 900000000;
    end loop;
    return x;
end
$$;

create or replace function next_case_number() returns text
language plpgsql volatile as $$
declare
    secret text := (select k.secret from case_number_key k);
    s text;
begin
    loop
        s := (100000000 + case_number_permute(nextval('case_number_index'), secret))::text;
        s := s || damm_check_digit(s)::text;
        -- Numbers given before this migration are shorter; this only guards against one ever matching.
        exit when not exists (select 1 from cases where number = s);
    end loop;
    return s;
end
$$;
