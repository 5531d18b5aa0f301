// Real MariaDB, Redis and HAProxy started on free loopback ports (tests, benchmarks, the local site).
export { freePort, portOpen } from "./ports";
export type { RunningService } from "./processes";
export { startMariaDb, startReplicatedMariaDb, type MariaDbOptions, type MariaDbService, type ReplicatedMariaDb } from "./mariadb";
export { startRedis, type RedisOptions, type RedisService } from "./redis";
