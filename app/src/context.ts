import type { Redis } from "./cache/redis";
import type { AppConfig } from "./config";
import type { Db } from "./db/pools";
import type { ReadYourWrites } from "./db/ryw";
import type { FeedService } from "./feed/service";
import type { Clock, IdGenerator } from "./ids";
import type { Logger } from "./logger";
import type { Metrics } from "./metrics";
import type { PostService } from "./posts/service";
import type { FanoutQueue } from "./queue/fanout";
import type { SessionInfo, SessionStore } from "./users/sessions";
import type { UserService } from "./users/service";

/** What the process provides (server.ts builds these; tests inject their own). */
export interface CoreDeps {
  config: AppConfig;
  db: Db;
  redis: Redis;
  clock: Clock;
  ids: IdGenerator;
  metrics: Metrics;
  logger: Logger;
  /** draining = shutting down: /healthz and /readyz answer 503. */
  state: { draining: boolean };
}

export interface Deps extends CoreDeps {
  sessions: SessionStore;
  ryw: ReadYourWrites;
  users: UserService;
  posts: PostService;
  feed: FeedService;
  queue: FanoutQueue;
}

export type AppEnv = {
  Variables: {
    requestId: string;
    /** Route template for metrics and logs (set by tag()). */
    route: string;
    session: SessionInfo;
  };
};
