-- Mail goes only to addresses their owners have shown they read (anyone can sign up with anyone's address): a
-- person verifies by opening a link mailed to them. Accounts made before this are unverified until they do.
alter table users add column email_verified_at timestamptz;
