-- A life event's service by a short name, for a numbered list that must fit a text or be spoken ("Health card").
alter table cluster_categories
    add column label_en text not null default '' check (length(label_en) <= 40),
    add column label_fr text not null default '' check (length(label_fr) <= 40);
