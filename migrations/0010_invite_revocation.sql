-- Revoked invite links are kept, marked, rather than deleted: opening one can then say it was revoked (not merely
-- "not found"), and the workspace keeps a record of who revoked it.
alter table invites add column revoked_at timestamptz;
alter table invites add column revoked_by text references users (id) on delete set null;
