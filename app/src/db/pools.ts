import { DbPool, DbUnavailableError, isConnectionError, isReadOnlyError, type Params, type PoolName, type PoolOptions, type Row } from "./pool";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";

export type { Params, PoolName, Row } from "./pool";

export interface Tx {
  query<T = Row[]>(sql: string, params?: Params): Promise<T>;
}

export interface DbOptions {
  primary: PoolOptions;
  replica: PoolOptions;
  replicaMaxLagSeconds: number;
  replicaLagCheckMs: number;
}

/**
 * Primary (all writes) + replica (reads). Reads go to the primary when the replica errors, when the
 * last lag check saw it behind by more than replicaMaxLagSeconds (or replication stopped), or when
 * the caller asks (read-your-writes).
 */
export class Db {
  readonly primary: DbPool;
  readonly replica: DbPool;
  private replicaOk = true;
  private replicaRetryAt = 0;
  private lagTimer?: NodeJS.Timeout;
  lastLagSeconds: number | null = 0;

  constructor(
    private readonly opts: DbOptions,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.primary = new DbPool("primary", opts.primary, metrics);
    this.replica = new DbPool("replica", opts.replica, metrics);
    metrics.replicaUsable.set(1);
  }

  /** Statements sent to both servers for requests, probes excluded (tests assert cache hits by this). */
  get queryCount(): number {
    return this.primary.queries + this.replica.queries;
  }

  get replicaUsable(): boolean {
    return this.replicaOk || Date.now() >= this.replicaRetryAt;
  }

  private setReplicaOk(ok: boolean, why?: string): void {
    if (ok !== this.replicaOk) this.logger.warn({ replicaOk: ok, why }, ok ? "replica back in service" : "replica out of service, reads go to the primary");
    this.replicaOk = ok;
    this.metrics.replicaUsable.set(ok ? 1 : 0);
  }

  async write<T = Row[]>(sql: string, params: Params = []): Promise<T> {
    return this.primary.query<T>(sql, params);
  }

  async read<T = Row[]>(sql: string, params: Params = [], opts: { primary?: boolean } = {}): Promise<T> {
    if (opts.primary) {
      this.metrics.dbFallbacks.inc({ reason: "read_your_writes" });
      return this.primary.query<T>(sql, params);
    }
    if (!this.replicaUsable) {
      this.metrics.dbFallbacks.inc({ reason: "replica_unusable" });
      return this.primary.query<T>(sql, params);
    }
    try {
      const rows = await this.replica.query<T>(sql, params);
      if (!this.replicaOk && this.opts.replicaLagCheckMs <= 0) this.setReplicaOk(true);
      return rows;
    } catch (e) {
      if (!isConnectionError(e)) throw e;
      // Circuit breaker: skip the replica for a moment instead of paying a connect per read.
      this.setReplicaOk(false, (e as Error).message);
      this.replicaRetryAt = Date.now() + Math.max(1000, this.opts.replicaLagCheckMs);
      this.metrics.dbFallbacks.inc({ reason: "replica_error" });
      return this.primary.query<T>(sql, params);
    }
  }

  /** Both statements or none: BEGIN ... COMMIT on one primary connection, ROLLBACK on any error. */
  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const conn = await this.primary.acquire();
    let broken = false;
    try {
      await this.primary.run(conn, "START TRANSACTION");
      const result = await fn({ query: <R>(sql: string, params: Params = []) => this.primary.run<R>(conn, sql, params) });
      await this.primary.run(conn, "COMMIT");
      return result;
    } catch (e) {
      broken = isConnectionError(e);
      if (!broken) await this.primary.run(conn, "ROLLBACK").catch(() => (broken = true));
      if ((broken || isReadOnlyError(e)) && !(e instanceof DbUnavailableError)) throw new DbUnavailableError(`primary database: ${(e as Error).message}`);
      throw e;
    } finally {
      this.primary.release(conn, broken);
    }
  }

  /**
   * One lag check: SHOW REPLICA STATUS on the replica. No row = not a replica (same server) = no
   * lag. MySQL 8.4 removed SHOW SLAVE STATUS and names the columns Replica_* / *_Source; MariaDB
   * (the local site) accepts SHOW REPLICA STATUS but keeps the Slave_* / *_Master column names.
   */
  async checkReplica(): Promise<number | null> {
    try {
      const rows = await this.replica.query<Row[]>("SHOW REPLICA STATUS", [], { probe: true });
      let lag: number | null;
      if (rows.length === 0) lag = 0;
      else {
        const r = rows[0];
        const running = (r.Replica_IO_Running ?? r.Slave_IO_Running) === "Yes" && (r.Replica_SQL_Running ?? r.Slave_SQL_Running) === "Yes";
        const sbm = r.Seconds_Behind_Source ?? r.Seconds_Behind_Master;
        lag = running && sbm !== null && sbm !== undefined ? Number(sbm) : null;
      }
      this.lastLagSeconds = lag;
      this.metrics.replicaLag.set(lag ?? -1);
      const ok = lag !== null && lag <= this.opts.replicaMaxLagSeconds;
      this.setReplicaOk(ok, ok ? undefined : lag === null ? "replication stopped" : `lag ${lag}s`);
      if (!ok) this.replicaRetryAt = Number.POSITIVE_INFINITY;
      return lag;
    } catch (e) {
      this.lastLagSeconds = -1;
      this.metrics.replicaLag.set(-1);
      this.setReplicaOk(false, (e as Error).message);
      this.replicaRetryAt = Number.POSITIVE_INFINITY;
      return null;
    }
  }

  startLagMonitor(): void {
    if (this.opts.replicaLagCheckMs <= 0 || this.lagTimer) return;
    const tick = async () => {
      await this.checkReplica();
      if (this.lagTimer) this.lagTimer = setTimeout(tick, this.opts.replicaLagCheckMs).unref();
    };
    this.lagTimer = setTimeout(tick, 0).unref();
  }

  stopLagMonitor(): void {
    if (this.lagTimer) clearTimeout(this.lagTimer);
    this.lagTimer = undefined;
  }

  /** One `SELECT 1` on that server itself (no fallback to the other one). */
  async ping(pool: PoolName): Promise<void> {
    await this[pool].query("SELECT 1", [], { probe: true });
  }

  async close(): Promise<void> {
    this.stopLagMonitor();
    await Promise.all([this.primary.close(), this.replica.close()]);
  }
}
