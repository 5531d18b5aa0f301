import { strict as assert } from "node:assert";
import { CLOUD_ASSUMPTIONS, cloudRecoveryParameters, deriveObjectives, formatDuration, RecoveryParameters } from "../../infra/topology/objectives";
import type { DrMode } from "../../infra/topology/types";

// Figures chosen so every term is distinguishable in the sums.
const P: RecoveryParameters = {
  healthCheckIntervalSeconds: 10,
  healthCheckFailureThreshold: 3,
  dnsTtlSeconds: 60,
  replicaPromotionSeconds: 300,
  apiBootSeconds: 180,
  backupIntervalSeconds: 3600,
  backupCopySeconds: 1800,
  replicaLagBoundSeconds: 60,
  restoreSecondsPerGb: 30,
  databaseSizeGb: 100,
};

const terms = (mode: DrMode, p: RecoveryParameters = P) => {
  const d = deriveObjectives(mode, p);
  return { rto: d.rto.map((t) => [t.name, t.seconds]), rpo: d.rpo.map((t) => [t.name, t.seconds]), rtoSeconds: d.rtoSeconds, rpoSeconds: d.rpoSeconds };
};

describe("topology: derived recovery objectives", () => {
  it("backup-restore: detection + restore of the configured size + API from 0 + TTL; RPO = interval + snapshot and copy", () => {
    assert.deepEqual(terms("backup-restore"), {
      rto: [["detection", 30], ["restore-from-snapshot", 3000], ["api-from-zero", 180], ["dns-ttl", 60]],
      rpo: [["backup-interval", 3600], ["snapshot-and-copy", 1800]],
      rtoSeconds: 3270,
      rpoSeconds: 5400,
    });
  });

  it("pilot-light: detection + promotion + API from 0 + TTL; RPO = replica lag bound", () => {
    assert.deepEqual(terms("pilot-light"), {
      rto: [["detection", 30], ["replica-promotion", 300], ["api-from-zero", 180], ["dns-ttl", 60]],
      rpo: [["replica-lag", 60]],
      rtoSeconds: 570,
      rpoSeconds: 60,
    });
  });

  it("warm-standby: the min instances serve at once, so scaling from min adds 0 to the RTO", () => {
    assert.deepEqual(terms("warm-standby"), {
      rto: [["detection", 30], ["replica-promotion", 300], ["api-from-min", 0], ["dns-ttl", 60]],
      rpo: [["replica-lag", 60]],
      rtoSeconds: 390,
      rpoSeconds: 60,
    });
  });

  it("active-active: reads after detection + TTL, writes after promotion", () => {
    assert.deepEqual(terms("active-active"), {
      rto: [["detection", 30], ["dns-ttl", 60], ["writes-after-promotion", 300]],
      rpo: [["replica-lag", 60]],
      rtoSeconds: 390,
      rpoSeconds: 60,
    });
  });

  it("every term follows its parameter: doubling the database doubles the restore, a 30 s interval triples detection", () => {
    const big = deriveObjectives("backup-restore", { ...P, databaseSizeGb: 200 });
    assert.equal(big.rto.find((t) => t.name === "restore-from-snapshot")!.seconds, 6000);
    assert.match(big.rto[1].assumption, /200 GB database .* 30 s\/GB/);
    const slow = deriveObjectives("pilot-light", { ...P, healthCheckIntervalSeconds: 30 });
    assert.equal(slow.rto[0].seconds, 90);
    assert.match(slow.rto[0].assumption, /3 failed checks × 30 s interval/);
  });

  it("every term names its assumption", () => {
    for (const mode of ["backup-restore", "pilot-light", "warm-standby", "active-active"] as DrMode[]) {
      const d = deriveObjectives(mode, P);
      for (const t of [...d.rto, ...d.rpo]) assert.ok(t.assumption.length > 20, `${mode} ${t.name}`);
    }
  });

  it("rejects a negative or non-finite parameter, naming it", () => {
    assert.throws(() => deriveObjectives("pilot-light", { ...P, apiBootSeconds: -1 }), /apiBootSeconds must be a finite number ≥ 0, got -1/);
    assert.throws(() => deriveObjectives("pilot-light", { ...P, dnsTtlSeconds: Number.NaN }), /dnsTtlSeconds/);
  });

  it("cloud parameters: edge figures and size from config, the rest from the named assumptions", () => {
    const p = cloudRecoveryParameters({ edge: { ttl: 45, healthCheckIntervalSeconds: 30, healthCheckFailureThreshold: 2 }, database: { allocatedStorageGb: 50 } });
    assert.deepEqual(p, { healthCheckIntervalSeconds: 30, healthCheckFailureThreshold: 2, dnsTtlSeconds: 45, databaseSizeGb: 50, ...CLOUD_ASSUMPTIONS });
  });

  it("formats durations", () => {
    assert.deepEqual([0, 45, 60, 570, 3270, 5400].map(formatDuration), ["0 s", "45 s", "1 min", "9 min 30 s", "54 min 30 s", "1 h 30 min"]);
  });
});
