import { createHash } from "node:crypto";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { buildSync } from "esbuild";
import { replicaArn } from "./database-secret";
import type { SiteTopology, Topology } from "../topology/types";
import { APP_DB_USERNAME, appUserStatements } from "./app-db-user-sql";
import { siteTags } from "./tags";

// The app connects as its own database user, never as the master user: the master credentials
// stay out of the API instances. The user's password lives in its own secret (replicated to the
// other AWS site's region like the master secret), and a small Lambda inside the writer's VPC,
// holding the master credentials for one invocation only, creates the user and its grants
// (app-db-user-sql.ts). The invocation re-runs whenever the password, the writer or the SQL changes.

export const APP_PASSWORD_LENGTH = 40;
/** Lambda's Node.js runtimes ship the Amazon CAs (RDS included) here; Node 20+ loads them only when told */
export const LAMBDA_CA_FILE = "/var/runtime/ca-cert.pem";
export const LAMBDA_VPC_POLICY = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";
export const PROVISIONER_RUNTIME = "nodejs22.x";

export interface AppDatabaseUserSecretArgs {
  readonly topology: Topology;
}

/** {"username","password"} of the app's user, in the first AWS site's region, replicated to the others. */
export class AppDatabaseUserSecret extends pulumi.ComponentResource {
  public readonly username = APP_DB_USERNAME;
  public readonly password: pulumi.Output<string>;
  public readonly arn: pulumi.Output<string>;
  public readonly homeRegion: string;
  public readonly replicaRegions: readonly string[];

  constructor(name: string, args: AppDatabaseUserSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:AppDatabaseUserSecret", name, {}, opts);
    const { topology } = args;
    const regions = [...new Set(topology.sites.filter((s) => s.cloud === "aws").map((s) => s.region))];
    if (regions.length === 0) throw new Error(`AppDatabaseUserSecret ${name}: the stack has no AWS site`);
    [this.homeRegion, ...this.replicaRegions] = regions;
    const child = { parent: this };
    const password = new random.RandomPassword(name, { length: APP_PASSWORD_LENGTH, special: false }, child);
    const secret = new aws.secretsmanager.Secret(name, {
      region: this.homeRegion,
      description: `${topology.project} ${topology.environment}: the app's database user ({"username","password"})`,
      recoveryWindowInDays: 7,
      replicas: this.replicaRegions.map((region) => ({ region })),
      tags: { project: topology.project, environment: topology.environment, tier: "database" },
    }, child);
    new aws.secretsmanager.SecretVersion(name, {
      region: this.homeRegion,
      secretId: secret.id,
      secretString: pulumi.jsonStringify({ username: APP_DB_USERNAME, password: password.result }),
    }, child);
    this.password = password.result;
    this.arn = secret.arn;
    this.registerOutputs({ arn: this.arn });
  }

  /** The secret as read in `region` (its replica there). */
  arnIn(region: string): pulumi.Output<string> {
    if (region !== this.homeRegion && !this.replicaRegions.includes(region)) throw new Error(`AppDatabaseUserSecret: no replica in ${region}`);
    return this.arn.apply((arn) => replicaArn(arn, region));
  }
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

let provisionerCode: string | undefined;
/** The Lambda's index.js: the handler and mysql2 in one CommonJS file (built once per process). */
export function provisionerBundle(): string {
  provisionerCode ??= buildSync({
    entryPoints: [path.join(__dirname, "app-db-user-lambda.ts")],
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    write: false,
    logLevel: "silent",
  }).outputFiles[0].text;
  return provisionerCode;
}

export interface AppUserProvisionerArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
  readonly subnetIds: pulumi.Input<string>[];
  /** the group that reaches the database (SecurityChain.provisionerSecurityGroupId) */
  readonly securityGroupId: pulumi.Input<string>;
  /** this site's own writer */
  readonly writer: { readonly address: pulumi.Input<string>; readonly port: number; readonly database: string; readonly resource: pulumi.Resource };
  readonly master: { readonly username: string; readonly password: pulumi.Input<string> };
  readonly app: AppDatabaseUserSecret;
}

/**
 * The Lambda and its invocation in the site that holds a writer. A fenced site keeps exactly its
 * inputs (its own, old writer), so a failover changes nothing in the failed region; the promoted
 * site gets its own, which finds the user already there (replicated) and re-applies the grants.
 */
export class AppUserProvisioner extends pulumi.ComponentResource {
  public readonly result: pulumi.Output<string>;

  constructor(name: string, args: AppUserProvisionerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:AppUserProvisioner", name, {}, opts);
    const { topology, site } = args;
    if (site.cloud !== "aws") throw new Error(`AppUserProvisioner ${name}: site ${site.key} is on ${site.cloud}, not aws`);
    const region = site.region;
    const tags = siteTags(topology, site, "database");
    const child = { parent: this };

    const role = new aws.iam.Role(name, {
      assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
      tags,
    }, child);
    // network interfaces in the VPC and its own logs; no Secrets Manager, no other AWS API
    const vpcAccess = new aws.iam.RolePolicyAttachment(name, { role: role.name, policyArn: LAMBDA_VPC_POLICY }, child);
    const logs = new aws.cloudwatch.LogGroup(name, { region, retentionInDays: topology.logRetentionDays, tags }, child);
    const code = provisionerBundle();
    const fn = new aws.lambda.Function(name, {
      region,
      description: "Creates the app's database user and its grants on this site's writer",
      runtime: PROVISIONER_RUNTIME,
      architectures: ["arm64"],
      handler: "index.handler",
      code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(code) }),
      role: role.arn,
      timeout: 60,
      memorySize: 256,
      vpcConfig: { subnetIds: args.subnetIds, securityGroupIds: [args.securityGroupId] },
      environment: { variables: { NODE_EXTRA_CA_CERTS: LAMBDA_CA_FILE } },
      loggingConfig: { logFormat: "JSON", logGroup: logs.name },
      tags,
    }, { parent: this, dependsOn: [vpcAccess] });

    const event = pulumi.jsonStringify({
      host: args.writer.address,
      port: args.writer.port,
      database: args.writer.database,
      master: { username: args.master.username, password: args.master.password },
      app: { username: args.app.username, password: args.app.password },
    });
    const invocation = new aws.lambda.Invocation(name, {
      region,
      functionName: fn.name,
      input: pulumi.secret(event),
      // re-run when the SQL or its code changes, not only when the event does
      triggers: { code: sha256(code), statements: sha256(JSON.stringify(appUserStatements(args.writer.database, APP_DB_USERNAME, "x".repeat(8)).map((s) => s.sql))) },
    }, { parent: this, dependsOn: [args.writer.resource] });
    this.result = invocation.result;
    this.registerOutputs({});
  }
}
