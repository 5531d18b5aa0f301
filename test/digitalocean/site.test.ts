import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { evaluateStack } from "../../tools/plan/evaluate";
import { CLOUDFLARE_IPV4_SAMPLE, mockDatabaseCa } from "../../tools/plan/mocks";
import type { PlanResult, PlannedResource } from "../../tools/plan/types";
import { opsBundle } from "../../infra/digitalocean/ops-bundle";
import { formatPlan } from "../../tools/plan/format";

// The dev stack as shipped (one DigitalOcean site in sgp1 behind Cloudflare), evaluated under the
// plan's mocks: exact inputs of every DigitalOcean resource that decides who reaches what.

const API_TAG = "api:resilient-feed-dev-primary";
const TAGS = (tier: string) => ["project:resilient-feed", "environment:dev", "site:primary", `tier:${tier}`];

let dev: PlanResult;
const all = (type: string): PlannedResource[] => dev.resources.filter((r) => r.type === type);
const one = (type: string, name: string): Record<string, any> => {
  const r = dev.resources.find((x) => x.type === type && x.name === name);
  if (!r) throw new Error(`no ${type} ${name}; have ${all(type).map((x) => x.name).join(", ")}`);
  return r.inputs as Record<string, any>;
};
/** a secret input arrives wrapped in Pulumi's secret envelope */
const unsecret = (v: any): any => (v && typeof v === "object" && v[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig ? v.value : v);

describe("digitalocean: the dev site", function () {
  this.timeout(300_000);
  before(async () => {
    dev = await evaluateStack({ stack: "dev" });
  });

  it("lists the whole site", () => {
    const count = (t: string) => all(`digitalocean:index/${t}`).length;
    assert.deepEqual(
      Object.fromEntries(["vpc:Vpc", "tag:Tag", "project:Project", "projectResources:ProjectResources", "sshKey:SshKey", "dropletAutoscale:DropletAutoscale", "loadBalancer:LoadBalancer", "firewall:Firewall", "databaseCluster:DatabaseCluster", "databaseDb:DatabaseDb", "databaseUser:DatabaseUser", "databaseReplica:DatabaseReplica", "databaseMysqlConfig:DatabaseMysqlConfig", "databaseFirewall:DatabaseFirewall", "spacesBucket:SpacesBucket", "spacesBucketObject:SpacesBucketObject", "spacesKey:SpacesKey", "cdn:Cdn", "droplet:Droplet"].map((t) => [t, count(t)])),
      { "vpc:Vpc": 1, "tag:Tag": 2, "project:Project": 1, "projectResources:ProjectResources": 1, "sshKey:SshKey": 1, "dropletAutoscale:DropletAutoscale": 1, "loadBalancer:LoadBalancer": 1, "firewall:Firewall": 2, "databaseCluster:DatabaseCluster": 2, "databaseDb:DatabaseDb": 1, "databaseUser:DatabaseUser": 1, "databaseReplica:DatabaseReplica": 1, "databaseMysqlConfig:DatabaseMysqlConfig": 1, "databaseFirewall:DatabaseFirewall": 3, "spacesBucket:SpacesBucket": 3, "spacesBucketObject:SpacesBucketObject": 3, "spacesKey:SpacesKey": 2, "cdn:Cdn": 1, "droplet:Droplet": 1 },
    );
  });

  it("the pool: CPU target, cooldown, min ≥ 1; the template: x86-64 image, plan, VPC, project, tags, SSH key, agent, secret user data", () => {
    const pool = one("digitalocean:index/dropletAutoscale:DropletAutoscale", "primary-api");
    assert.deepEqual(pool.name, "resilient-feed-dev-primary-api");
    assert.deepEqual(pool.config, { minInstances: 1, maxInstances: 2, targetCpuUtilization: 0.6, cooldownMinutes: 5 });
    // the secret user data makes the whole template a secret
    assert.notDeepEqual(unsecret(pool.dropletTemplate), pool.dropletTemplate, "the template (with its user data) is a secret");
    const { userData, sshKeys, ...template } = unsecret(pool.dropletTemplate);
    assert.deepEqual(template, {
      image: "ubuntu-24-04-x64", region: "sgp1", size: "s-1vcpu-2gb", vpcUuid: "primary-net-id", projectId: "primary-project-id",
      tags: [API_TAG, ...TAGS("api")], withDropletAgent: true, ipv6: false,
    });
    assert.equal(sshKeys.length, 1);
    assert.match(sshKeys[0], /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    assert.deepEqual(one("digitalocean:index/sshKey:SshKey", "primary-api-ssh").publicKey.split(" ")[0], "ssh-ed25519");
    const script = String(unsecret(userData));
    assert.match(script, /sha256sum -c -/);
    assert.match(script, /--aws-sigv4 'aws:amz:sgp1:s3'/);
    assert.match(script, /iptables -A OUTPUT -d 169\.254\.169\.254 -m owner ! --uid-owner 0 -j REJECT/);
    assert.match(script, /systemctl disable --now ssh\.socket ssh\.service/);
    assert.match(script, /DB_PRIMARY_URL=mysql:\/\/feedapp:mock-primary-db-app-password@private-primary-db\.db\.ondigitalocean\.com:25060\/feed/);
    assert.match(script, /DB_REPLICA_URL=mysql:\/\/feedapp:.*@private-primary-db-read\.db\.ondigitalocean\.com:25060\/feed/);
    assert.match(script, /REDIS_URL=rediss:\/\/default:.*@private-primary-cache\.db\.ondigitalocean\.com:25061/);
    assert.match(script, /DB_TLS=true\nDB_TLS_CA_FILE=\/etc\/resilient-feed\/mysql-ca\.pem/);
    assert.ok(script.includes(mockDatabaseCa("primary-db-id").trim()), "the cluster CA from getDatabaseCa");
    assert.doesNotMatch(script, /doadmin/, "only the app user's credentials");
  });

  it("the load balancer: HTTPS with the configured certificate, HTTP redirected, /healthz, joined by the API tag, Cloudflare's ranges only", () => {
    const lb = one("digitalocean:index/loadBalancer:LoadBalancer", "primary-lb");
    assert.deepEqual({ region: lb.region, vpcUuid: lb.vpcUuid, dropletTag: lb.dropletTag, redirectHttpToHttps: lb.redirectHttpToHttps }, { region: "sgp1", vpcUuid: "primary-net-id", dropletTag: API_TAG, redirectHttpToHttps: true });
    assert.deepEqual(lb.forwardingRules, [
      { entryPort: 443, entryProtocol: "https", targetPort: 8080, targetProtocol: "http", certificateName: "dev-feed-origin-ca" },
      { entryPort: 80, entryProtocol: "http", targetPort: 8080, targetProtocol: "http" },
    ]);
    assert.deepEqual(lb.healthcheck, { protocol: "http", port: 8080, path: "/healthz", checkIntervalSeconds: 10, responseTimeoutSeconds: 5, healthyThreshold: 3, unhealthyThreshold: 3 });
    assert.deepEqual(lb.firewall, { allows: CLOUDFLARE_IPV4_SAMPLE.map((c) => `cidr:${c}`) });
    assert.ok(dev.invokes.some((i) => i.token === "cloudflare:index/getIpRanges:getIpRanges"));
  });

  it("the droplet firewall: in only from the load balancer to the app port; out only DNS, NTP, HTTPS and the data ports inside the VPC", () => {
    const fw = one("digitalocean:index/firewall:Firewall", "primary-api-fw");
    assert.deepEqual(fw.tags, [API_TAG]);
    assert.deepEqual(fw.inboundRules, [{ protocol: "tcp", portRange: "8080", sourceLoadBalancerUids: ["primary-lb-id"] }]);
    const anywhere = ["0.0.0.0/0", "::/0"];
    assert.deepEqual(fw.outboundRules, [
      { protocol: "udp", portRange: "53", destinationAddresses: anywhere },
      { protocol: "tcp", portRange: "53", destinationAddresses: anywhere },
      { protocol: "udp", portRange: "123", destinationAddresses: anywhere },
      { protocol: "tcp", portRange: "443", destinationAddresses: anywhere },
      { protocol: "tcp", portRange: "25060", destinationAddresses: ["10.30.0.0/18"] },
      { protocol: "tcp", portRange: "25061", destinationAddresses: ["10.30.0.0/18"] },
    ]);
  });

  it("database firewalls: one per cluster and the replica (by its uuid), the API tag; the writer's also the ops runner's droplet by id; nothing by address", () => {
    const fws = all("digitalocean:index/databaseFirewall:DatabaseFirewall").map((r) => [r.name, r.inputs.clusterId, r.inputs.rules]).sort();
    const rule = [{ type: "tag", value: API_TAG }];
    assert.deepEqual(fws, [
      ["primary-cache-fw", "primary-cache-id", rule],
      ["primary-db-fw", "primary-db-id", [...rule, { type: "droplet", value: "primary-ops-id" }]],
      ["primary-db-read-fw", "primary-db-read-uuid", rule],
    ]);
  });

  it("MySQL and Valkey: sizes, node counts, versions, VPC, maintenance window, backup hour, eviction policy", () => {
    const mysql = one("digitalocean:index/databaseCluster:DatabaseCluster", "primary-db");
    assert.deepEqual(mysql, {
      name: "resilient-feed-dev-primary-mysql", engine: "mysql", version: "8", size: "db-s-1vcpu-2gb", nodeCount: 1, region: "sgp1", privateNetworkUuid: "primary-net-id",
      maintenanceWindows: [{ day: "sunday", hour: "20:00:00" }], tags: TAGS("database"),
    });
    const valkey = one("digitalocean:index/databaseCluster:DatabaseCluster", "primary-cache");
    assert.deepEqual(valkey, {
      name: "resilient-feed-dev-primary-valkey", engine: "valkey", version: "8", size: "db-s-1vcpu-1gb", nodeCount: 1, region: "sgp1", privateNetworkUuid: "primary-net-id",
      evictionPolicy: "volatile_lru", maintenanceWindows: [{ day: "sunday", hour: "20:00:00" }], tags: TAGS("cache"),
    });
    assert.deepEqual(one("digitalocean:index/databaseMysqlConfig:DatabaseMysqlConfig", "primary-db-config"), { clusterId: "primary-db-id", backupHour: 19, backupMinute: 0 });
    assert.deepEqual(one("digitalocean:index/databaseDb:DatabaseDb", "primary-db-db"), { clusterId: "primary-db-id", name: "feed" });
    assert.deepEqual(one("digitalocean:index/databaseUser:DatabaseUser", "primary-db-app"), { clusterId: "primary-db-id", name: "feedapp", mysqlAuthPlugin: "caching_sha2_password" });
    assert.deepEqual(one("digitalocean:index/databaseReplica:DatabaseReplica", "primary-db-read"), {
      clusterId: "primary-db-id", name: "resilient-feed-dev-primary-mysql-read", region: "sgp1", size: "db-s-1vcpu-2gb", privateNetworkUuid: "primary-net-id", tags: TAGS("database"),
    });
  });

  it("buckets: the release bucket private (objects private, a read-only key on it alone); the static bucket public-read behind the CDN", () => {
    const release = one("digitalocean:index/spacesBucket:SpacesBucket", "primary-release");
    assert.deepEqual(release, { name: "resilient-feed-dev-primary-releases", region: "sgp1", acl: "private", versioning: { enabled: true }, forceDestroy: true });
    for (const o of all("digitalocean:index/spacesBucketObject:SpacesBucketObject")) {
      assert.equal(o.inputs.acl, "private", o.name);
      assert.match(String(o.inputs.key), /^(releases\/[0-9a-f]{16}\/(server|worker)|ops\/[0-9a-f]{16}\/ops)\.js$/);
      assert.match(String((o.inputs.metadata as any).sha256), /^[0-9a-f]{64}$/);
    }
    assert.deepEqual(one("digitalocean:index/spacesKey:SpacesKey", "primary-release-read").grants, [{ bucket: "resilient-feed-dev-primary-releases", permission: "read" }]);
    assert.deepEqual(one("digitalocean:index/spacesBucket:SpacesBucket", "primary-static"), { name: "resilient-feed-dev-primary-static", region: "sgp1", acl: "public-read", forceDestroy: true });
    assert.deepEqual(one("digitalocean:index/cdn:Cdn", "primary-static"), { origin: "resilient-feed-dev-primary-static.sgp1.digitaloceanspaces.com", ttl: 3600 });
  });

  it("the project groups the load balancer, both clusters, both buckets and the ops runner", () => {
    assert.deepEqual(one("digitalocean:index/project:Project", "primary-project"), { name: "resilient-feed-dev-primary", description: "resilient-feed dev: the primary site (sgp1)", purpose: "Web Application", environment: "Development" });
    assert.deepEqual(one("digitalocean:index/projectResources:ProjectResources", "primary-project-resources"), {
      project: "primary-project-id",
      resources: ["do:loadbalancer:primary-lb", "do:dbaas:primary-db", "do:dbaas:primary-cache", "do:space:resilient-feed-dev-primary-releases", "do:space:resilient-feed-dev-primary-static", "do:droplet:primary-ops"],
    });
  });

  it("the ops runner: a droplet in the VPC from the pool's SSH key, secret user data with doadmin (never the pool's), its own tag and firewall (nothing in; DNS, NTP, HTTPS, MySQL in the VPC out)", () => {
    const droplet = one("digitalocean:index/droplet:Droplet", "primary-ops");
    const { userData, sshKeys, ...rest } = droplet;
    assert.deepEqual(rest, { name: "resilient-feed-dev-primary-ops", image: "ubuntu-24-04-x64", region: "sgp1", size: "s-1vcpu-1gb", vpcUuid: "primary-net-id", tags: ["ops:resilient-feed-dev-primary", ...TAGS("ops")], ipv6: false, monitoring: true });
    const pool = unsecret(one("digitalocean:index/dropletAutoscale:DropletAutoscale", "primary-api").dropletTemplate);
    assert.deepEqual(sshKeys, pool.sshKeys);
    assert.notEqual(unsecret(userData), userData, "the user data is a secret");
    const script = String(unsecret(userData));
    assert.match(script, /\nOPS_DB_HOST=private-primary-db\.db\.ondigitalocean\.com\nOPS_DB_PORT=25060\nOPS_DB_ADMIN_USER=doadmin\nOPS_DB_ADMIN_PASSWORD=mock-primary-db-password\n/);
    assert.match(script, /\nOPS_APP_USER=feedapp\nOPS_APP_PASSWORD=mock-primary-db-app-password\n/);
    assert.match(script, /\nDUMP_SITE=primary\nHEARTBEAT_URL=\nRESTORE_KEY=\n/);
    assert.match(script, /OnUnitActiveSec=60min/);
    assert.match(script, /--aws-sigv4 'aws:amz:blr1:s3' .* -T "\$file" "https:\/\/resilient-feed-dev-dumps\.blr1\.digitaloceanspaces\.com\/\$\{key\}"/);
    assert.match(script, /sha256sum -c -/);
    assert.match(script, /iptables -A OUTPUT -d 169\.254\.169\.254 -m owner ! --uid-owner 0 -j REJECT/);
    const fw = one("digitalocean:index/firewall:Firewall", "primary-ops-fw");
    const anywhere = ["0.0.0.0/0", "::/0"];
    assert.deepEqual(fw, {
      name: "resilient-feed-dev-primary-ops", tags: ["ops:resilient-feed-dev-primary"],
      outboundRules: [
        { protocol: "udp", portRange: "53", destinationAddresses: anywhere },
        { protocol: "tcp", portRange: "53", destinationAddresses: anywhere },
        { protocol: "udp", portRange: "123", destinationAddresses: anywhere },
        { protocol: "tcp", portRange: "443", destinationAddresses: anywhere },
        { protocol: "tcp", portRange: "25060", destinationAddresses: ["10.30.0.0/18"] },
      ],
    });
  });

  it("the dump bucket: private, in blr1 (not the site's region), dumps expire after 7 days; the runner's key reads the release bucket and writes the dump bucket only", () => {
    const bucket = dev.resources.find((r) => r.type === "digitalocean:index/spacesBucket:SpacesBucket" && r.name === "dumps")!;
    assert.deepEqual(bucket.inputs, {
      name: "resilient-feed-dev-dumps", region: "blr1", acl: "private", forceDestroy: true,
      lifecycleRules: [{ id: "expire-dumps", enabled: true, prefix: "dumps/", expiration: { days: 7 }, abortIncompleteMultipartUploadDays: 1 }],
    });
    assert.deepEqual(one("digitalocean:index/spacesKey:SpacesKey", "primary-ops-key"), {
      name: "resilient-feed-dev-primary-ops",
      grants: [{ bucket: "resilient-feed-dev-primary-releases", permission: "read" }, { bucket: "resilient-feed-dev-dumps", permission: "readwrite" }],
    });
    const tool = one("digitalocean:index/spacesBucketObject:SpacesBucketObject", "primary-ops-tool");
    assert.deepEqual([tool.bucket, tool.acl, tool.key], ["resilient-feed-dev-primary-releases", "private", `ops/${opsBundle().sha256.slice(0, 16)}/ops.js`]);
    assert.deepEqual(dev.outputs.recoveryObjectives && (dev.outputs.recoveryObjectives as any).rpoSeconds, 4200);
  });

  it("the plan's summary: the runner and where the dumps go; the objectives in DigitalOcean's terms", () => {
    const text = formatPlan(dev, 120);
    assert.ok(text.includes("    ops       runner s-1vcpu-1gb (grants, restore); dumps to resilient-feed-dev-dumps in blr1, kept 7 d\n"), text);
    assert.ok(text.includes("RPO ≤ 1 h 10 min (dump-interval 1 h + dump-and-upload 10 min) (≤ 4200 s)"), text);
  });

  it("the Cloudflare edge: an HTTPS monitor that skips verification of the Origin CA certificate, a pool on the load balancer's IP", () => {
    const [monitor] = all("cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor");
    assert.deepEqual([monitor.inputs.type, monitor.inputs.path, monitor.inputs.allowInsecure, monitor.inputs.followRedirects], ["https", "/readyz", true, false]);
    const [pool] = all("cloudflare:index/loadBalancerPool:LoadBalancerPool");
    assert.deepEqual((pool.inputs.origins as any[])[0].address, "203.0.113.10");
    // dev leaves the zone's TLS settings alone (edge.cloudflare.tls unmanaged): no zone setting
    assert.equal(all("cloudflare:index/zoneSetting:ZoneSetting").length, 0);
  });

  it("opted into zone-wide TLS (edge.cloudflare.tls: zone): SSL strict, which Cloudflare's proxy meets with the Origin CA certificate", async () => {
    const zone = await evaluateStack({ stack: "dev", configOverrides: { edge: { cloudflare: { tls: "zone" } } } });
    const settings = zone.resources.filter((r) => r.type === "cloudflare:index/zoneSetting:ZoneSetting").map((r) => [r.inputs.settingId, r.inputs.value]).sort();
    assert.deepEqual(settings, [["always_use_https", "on"], ["min_tls_version", "1.2"], ["ssl", "strict"]]);
  });
});
