-- The escalation ladder: each step (warning, breach, second breach) of each clock (first response,
-- resolution) happens at most once per case, whatever host or job reaches it first.

create table sla_escalations (
    case_id bigint not null references cases (id),
    clock   text not null check (clock in ('first_response', 'resolution')),
    step    text not null check (step in ('warning', 'breach', 'second_breach')),
    due_at  timestamptz not null,
    done_at timestamptz not null,
    primary key (case_id, clock, step)
);

-- When the next step of a case's clocks is due; the sweep reads this index, the timers are set from it.
alter table cases add column sla_next_check_at timestamptz;
create index cases_sla_next_check on cases (sla_next_check_at) where sla_next_check_at is not null;

-- Who hears of a second breach (the supervisor's manager), per policy.
alter table sla_policies add column escalation_phone text check (escalation_phone ~ '^\+[1-9][0-9]{6,14}$');
