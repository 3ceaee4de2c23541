-- Forks record where they came from; any notebook can be a template, for its workspace or for everyone.
alter table notebooks add column forked_from text references notebooks (id) on delete set null;
alter table notebooks add column template text not null default 'no' check (template in ('no', 'workspace', 'public'));
create index notebooks_public_templates on notebooks (updated_at desc) where template = 'public';
