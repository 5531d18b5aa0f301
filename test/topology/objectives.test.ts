import { strict as assert } from "node:assert";
import { parseProjectConfig } from "../../infra/config/parse";
import { buildTopology } from "../../infra/topology/build";
import { CLOUD_ASSUMPTIONS, cloudRecoveryParameters, deriveObjectives, DO_DUMP_ASSUMPTIONS, formatDuration, RecoveryParameters } from "../../infra/topology/objectives";
import { stackRaw } from "../support/config-fixtures";
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

  it("backup-restore of a DigitalOcean writer: RTO = detection + cluster creation + dump load + API from 0 + TTL; RPO = dump interval + dump and upload", () => {
    const dumps = { dumpIntervalSeconds: 3600, dumpSeconds: 600, clusterCreateSeconds: 600, dumpLoadSecondsPerGb: 120, datasetGb: 5 };
    assert.deepEqual(terms("backup-restore", { ...P, dumps }), {
      rto: [["detection", 30], ["cluster-create", 600], ["dump-load", 600], ["api-from-zero", 180], ["dns-ttl", 60]],
      rpo: [["dump-interval", 3600], ["dump-and-upload", 600]],
      rtoSeconds: 1470,
      rpoSeconds: 4200,
    });
    // the replicating modes are refused on DigitalOcean; their terms do not change with dumps
    assert.deepEqual(terms("pilot-light", { ...P, dumps }), terms("pilot-light"));
    assert.throws(() => deriveObjectives("backup-restore", { ...P, dumps: { ...dumps, datasetGb: -5 } }), /datasetGb must be a finite number ≥ 0, got -5/);
  });

  it("cloud parameters: a DigitalOcean writer adds the dump terms (interval and dataset from config, the rest assumed); an AWS writer does not", () => {
    const base = { edge: { ttl: 60, healthCheckIntervalSeconds: 10, healthCheckFailureThreshold: 3 }, database: { allocatedStorageGb: 100 }, digitalocean: { dumps: { intervalMinutes: 30, datasetGb: 8 } } };
    const onDo = cloudRecoveryParameters({ ...base, sites: { primary: { cloud: "digitalocean" }, secondary: { cloud: "aws" } }, dr: { activeSite: "primary" } });
    assert.deepEqual(onDo.dumps, { dumpIntervalSeconds: 1800, datasetGb: 8, ...DO_DUMP_ASSUMPTIONS });
    const onAws = cloudRecoveryParameters({ ...base, sites: { primary: { cloud: "digitalocean" }, secondary: { cloud: "aws" } }, dr: { activeSite: "secondary" } });
    assert.equal(onAws.dumps, undefined);
  });

  it("the dev stack (a DigitalOcean writer, hourly dumps) derives its objectives in DigitalOcean's terms", () => {
    const t = buildTopology(parseProjectConfig(stackRaw("dev")));
    assert.deepEqual(t.objectives.breakdown.rpo.map((x) => [x.name, x.seconds]), [["dump-interval", 3600], ["dump-and-upload", 600]]);
    assert.deepEqual(t.objectives.breakdown.rto.map((x) => [x.name, x.seconds]), [["detection", 90], ["cluster-create", 600], ["dump-load", 600], ["api-from-zero", 180], ["dns-ttl", 60]]);
    assert.equal(t.objectives.rpo, "≤ 1 h 10 min (dump-interval 1 h + dump-and-upload 10 min)");
  });

  it("formats durations", () => {
    assert.deepEqual([0, 45, 60, 570, 3270, 5400].map(formatDuration), ["0 s", "45 s", "1 min", "9 min 30 s", "54 min 30 s", "1 h 30 min"]);
  });
});
