import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { SiteTopology, Topology } from "../topology/types";
import type { DoDatabase } from "./database";
import { bootOutboundRules } from "./droplet-firewall";
import type { DoDumpBucket } from "./dump-bucket";
import { opsBundle } from "./ops-bundle";
import { renderOpsUserData } from "./ops-user-data";
import type { DoReleaseBucket } from "./release-bucket";
import { doTags, siteName } from "./tags";

export interface DoOpsRunnerArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  readonly vpcId: pulumi.Input<string>;
  readonly sshKeyFingerprint: pulumi.Input<string>;
  readonly release: DoReleaseBucket;
  readonly dumps: DoDumpBucket;
  readonly db: DoDatabase;
}

/**
 * The site's ops runner: one small droplet in the VPC that does what the managed database cannot
 * be told to do through the provider (ops-user-data.ts): the app user's grants as doadmin at boot,
 * the scheduled logical dumps into the dump bucket in another region, and, on a site a failover
 * restores, loading the named dump. A droplet because DigitalOcean Functions cannot reach a
 * VPC-private database (unverified for DigitalOcean: no doc states VPC access for Functions) and
 * a dump outlasts any function time limit.
 *
 * Credentials: doadmin (in its secret user data), and its own Spaces key: read on the release
 * bucket (the tool), readwrite on the dump bucket only. Reach: the writer's database firewall
 * admits this droplet by id (database.ts); its own firewall admits nothing inbound and lets out
 * DNS, NTP, HTTPS (Spaces, nodejs.org, the heartbeat) and MySQL inside the VPC.
 */
export class DoOpsRunner extends pulumi.ComponentResource {
  public readonly dropletId: pulumi.Output<string>;
  public readonly dropletUrn: pulumi.Output<string>;

  constructor(name: string, args: DoOpsRunnerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:digitalocean:OpsRunner", name, {}, opts);
    const { topology, site, release, dumps, db } = args;
    const plan = topology.digitalocean;
    if (!plan) throw new Error(`DoOpsRunner ${name}: the topology has no digitalocean plan`);
    const child = { parent: this };
    const prefix = siteName(topology, site);

    const tool = opsBundle();
    const toolKey = `ops/${tool.sha256.slice(0, 16)}/ops.js`;
    new digitalocean.SpacesBucketObject(`${name}-tool`, { region: site.region, bucket: release.bucketName, key: toolKey, content: tool.code, acl: "private", contentType: "application/javascript", metadata: { sha256: tool.sha256 } }, child);
    const key = new digitalocean.SpacesKey(`${name}-key`, {
      name: `${prefix}-ops`,
      grants: [{ bucket: release.bucketName, permission: "read" }, { bucket: dumps.bucketName, permission: "readwrite" }],
    }, child);

    const userData = pulumi.secret(pulumi.all({
      releaseBucket: release.bucketName, accessKey: key.accessKey, secretKey: key.secretKey, host: db.privateHost, port: db.port.apply(String), adminUser: db.adminUser, adminPassword: db.adminPassword,
      caCertificate: db.caCertificate, appUser: db.username, appPassword: db.password, dumpBucket: dumps.bucketName,
    }).apply((v) => renderOpsUserData({
      siteKey: site.key,
      tool: { bucket: v.releaseBucket, region: site.region, key: toolKey, sha256: tool.sha256 },
      spaces: { accessKey: v.accessKey, secretKey: v.secretKey },
      db: { host: v.host, port: Number(v.port), adminUser: v.adminUser, adminPassword: v.adminPassword, caCertificate: v.caCertificate, name: db.dbName },
      app: { username: v.appUser, password: v.appPassword },
      dumps: { bucket: v.dumpBucket, region: dumps.region, intervalMinutes: plan.dumps.intervalMinutes, heartbeatUrl: plan.dumps.heartbeatUrl },
      restoreKey: site.database.restoreFromDump?.key,
    })));

    const tag = new digitalocean.Tag(`${name}-tag`, { name: `ops:${prefix}` }, child);
    const droplet = new digitalocean.Droplet(name, {
      name: `${prefix}-ops`,
      image: plan.image,
      region: site.region,
      size: plan.dumps.runnerSize,
      vpcUuid: args.vpcId,
      sshKeys: [args.sshKeyFingerprint],
      tags: [tag.name, ...doTags(topology, site, "ops")],
      userData,
      ipv6: false,
      monitoring: true,
    }, child);
    new digitalocean.Firewall(`${name}-fw`, {
      name: `${prefix}-ops`,
      tags: [tag.name],
      outboundRules: bootOutboundRules(site),
    }, child);
    this.dropletId = droplet.id;
    this.dropletUrn = droplet.dropletUrn;
    this.registerOutputs({ dropletId: this.dropletId });
  }
}
