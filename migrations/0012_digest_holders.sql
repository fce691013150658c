-- Who holds a digest claim while its message is being sent, so that a claim left by a
-- process that is gone is released instead of blocking the week: the holder's process
-- id and host name (a claim whose process no longer exists on this host is released at
-- once), and a lease the holder renews while it sends (a claim from another host, or
-- whose process id was reused, is released once the lease runs out).
alter table digest_sends add column holder_pid integer;
alter table digest_sends add column holder_host text;
-- Until when the claim is held (RFC 3339, UTC); renewed while sending, cleared when
-- the send finishes.
alter table digest_sends add column lease_until text;
-- A fourth state: released (by `aftermath digest --release WEEK`, or because its holder
-- is gone); the next run claims it again. "sent" is only ever written after the SMTP
-- server accepted the message.
