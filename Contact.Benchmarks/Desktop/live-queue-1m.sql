-- The live-queue query at 1 M cases: its plan and time, next to a bare index-ordered read.
-- Run against a scratch database migrated by Contact (never a real one):
--   psql "$CONN" -f Contact.Benchmarks/Desktop/live-queue-1m.sql
\timing on
begin;
-- 1 M cases over the four line/language queues and four priorities; one in ten still waiting.
insert into cases (line, channel, category_id, description, language, priority, status, created_at, updated_at)
select case when i % 2 = 0 then '311' else '211' end,
       'web',
       (select id from categories where line = case when i % 2 = 0 then '311' else '211' end order by id limit 1),
       'load', case when i % 4 < 2 then 'en' else 'fr' end,
       (array['low', 'normal', 'high', 'urgent'])[1 + (i * 7) % 4],
       case when (i / 4) % 10 = 0 then 'new' else 'resolved' end,
       now() - make_interval(secs => i), now()
from generate_series(1, 1000000) i;
commit;
analyze cases;

-- An English agent working 311 and 211 (queues 311-en and 211-en), top 200: the statement
-- DesktopQueries.QueueAsync sends.
explain (analyze, buffers, costs off)
with waiting as (
    select w.id from (
        (select c.id, c.priority_rank from cases c
         where c.queue = '311-en' and c.assigned_to is null and c.status not in ('resolved', 'closed')
         order by c.priority_rank, c.created_at limit 200)
        union all
        (select c.id, c.priority_rank from cases c
         where c.queue = '211-en' and c.assigned_to is null and c.status not in ('resolved', 'closed')
         order by c.priority_rank, c.created_at limit 200)) w
    join cases c on c.id = w.id
    order by c.priority_rank, c.created_at limit 200)
select c.id, c.number, c.line, c.language, c.queue, k.code, k.name_en, k.name_fr, c.priority, c.status, c.channel,
       c.created_at, u.user_name, c.address
from waiting w join cases c on c.id = w.id join categories k on k.id = c.category_id
left join staff_users u on u.id = c.assigned_to
order by c.priority_rank, c.created_at;

-- The bare substrate: the first 200 index entries of one queue, nothing else.
explain (analyze, costs off)
select id from cases
where queue = '311-en' and assigned_to is null and status not in ('resolved', 'closed')
order by priority_rank, created_at limit 200;
