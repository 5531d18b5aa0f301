-- Fan-out outbox, kept on the post row itself: the INSERT of a post sets fanout_pending = 1 in the
-- same statement (so a post can never exist without its outbox mark), the fan-out worker clears it
-- once the post is in its followers' lists, and replays to the stream any post still marked after
-- a while (its enqueue failed, or the stream lost it when Redis restarted empty). The index finds
-- the few marked rows, oldest first, without scanning posts.
ALTER TABLE posts
  ADD COLUMN fanout_pending TINYINT(1) NOT NULL DEFAULT 0,
  ADD KEY ix_posts_fanout_pending (fanout_pending, id);
