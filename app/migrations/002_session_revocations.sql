-- Logged-out sessions. Session tokens are signed and verified without a store; this table is the
-- durable list of the ones revoked before their expiry. Written to the primary on logout, read by
-- every API instance (loaded at start, then tailed by revoked_at). A row is useless once
-- expires_at has passed (the token is expired anyway) and is pruned then. Times are UTC.
CREATE TABLE IF NOT EXISTS session_revocations (
  sid CHAR(24) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  -- the primary's clock (UTC_TIMESTAMP(3) in the INSERT), so every reader's cursor compares one clock
  revoked_at DATETIME(3) NOT NULL,
  KEY ix_session_revocations_revoked_at (revoked_at),
  KEY ix_session_revocations_expires_at (expires_at)
) ENGINE=InnoDB;
