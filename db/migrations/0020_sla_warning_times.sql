-- When each of a case's clocks falls "at risk": the policy's warning percent of its target, counted in the
-- policy's business time like the due times beside them. The server works these out once, where it works out
-- the due times, so the desktop, the supervisor's table and the escalation ladder all use the same instant
-- instead of each guessing a share of its own.

alter table cases
    add column first_response_warning_at timestamptz,
    add column resolution_warning_at     timestamptz;

-- Open cases from before this migration: the same share of the time to their due times, on the wall clock.
-- Their next change (a claim, a pause, a new category) recomputes both in business time.
update cases c
set first_response_warning_at = c.created_at + (c.first_response_due_at - c.created_at) * (p.warning_percent / 100.0),
    resolution_warning_at     = c.created_at + (c.resolution_due_at - c.created_at) * (p.warning_percent / 100.0)
from sla_policies p
where p.id = c.sla_policy_id and c.status not in ('resolved', 'closed');
