-- "Log out everywhere": per user, the instant before which every session token of that user is
-- logged out. Tokens carry their issue time (iat, unix ms, the issuing instance's clock), compared
-- with not_before_ms (taken from the same kind of clock). Written to the primary, tailed by every
-- API instance like session_revocations (by updated_at, the primary's clock). A row is useless once
-- expires_at (not_before + the session TTL) has passed: every older token has expired. Times are UTC.
CREATE TABLE IF NOT EXISTS session_not_before (
  user_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  not_before_ms BIGINT UNSIGNED NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  KEY ix_session_not_before_updated_at (updated_at),
  KEY ix_session_not_before_expires_at (expires_at)
) ENGINE=InnoDB;
