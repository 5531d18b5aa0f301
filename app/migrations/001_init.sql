-- Domain rows use application-generated 64-bit time-ordered ids (app/src/ids.ts), never
-- AUTO_INCREMENT, so two sites writing at once cannot collide.
CREATE TABLE IF NOT EXISTS users (
  id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  handle VARCHAR(30) NOT NULL,
  display_name VARCHAR(100) NOT NULL,
  bio VARCHAR(500) NOT NULL DEFAULT '',
  password_hash VARCHAR(255) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_users_handle (handle)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS follows (
  follower_id BIGINT UNSIGNED NOT NULL,
  followee_id BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(3) NOT NULL,
  PRIMARY KEY (follower_id, followee_id),
  KEY ix_follows_followee (followee_id, follower_id)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS posts (
  id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  author_id BIGINT UNSIGNED NOT NULL,
  text VARCHAR(1000) NOT NULL,
  media_key VARCHAR(255) NULL,
  created_at DATETIME(3) NOT NULL,
  KEY ix_posts_author (author_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
