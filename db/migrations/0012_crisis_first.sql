-- A crisis (risk to life) goes before every other waiting case of its queue, urgent ones included:
-- the queue's rank puts it ahead of priority. PostgreSQL 15 cannot change a generated column's
-- expression in place, so the column and the live-queue index on it are made again.
drop index cases_live_queue;
alter table cases drop column priority_rank;
alter table cases add column priority_rank smallint generated always as (
    case when crisis then -1
         else case priority when 'urgent' then 0 when 'high' then 1 when 'normal' then 2 else 3 end end) stored;
create index cases_live_queue on cases (queue, priority_rank, created_at)
    where assigned_to is null and status not in ('resolved', 'closed');
