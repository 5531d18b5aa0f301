import type * as pulumi from "@pulumi/pulumi";
import type { Registration } from "./registrations";
import type { PlannedInvoke, PlannedResource } from "./types";

// Pulumi mocks for offline evaluation (tests and the offline plan alike): they record every
// registered resource and answer every invoke the program makes, with outputs shaped like the
// real providers' (ARNs carry the resource's region, so cross-region checks see real regions).

export const MOCK_ACCOUNT = "123456789012";
const DEFAULT_REGION = "ap-northeast-2";

/** AZ letters per region where they are not simply a, b, c... (Tokyo has no 1b). */
const AZ_LETTERS: Record<string, string[]> = { "ap-northeast-1": ["a", "c", "d"], "us-east-1": ["a", "b", "c", "d", "e", "f"], "ap-northeast-2": ["a", "b", "c", "d"] };

type Invoke = (inputs: Record<string, any>) => Record<string, unknown>;

/** Every invoke the program makes, by token. Unknown invokes fail loudly rather than return {}. */
export const INVOKES: Record<string, Invoke> = {
  "aws:index/getAvailabilityZones:getAvailabilityZones": (i) => {
    const region = String(i.region ?? DEFAULT_REGION);
    const letters = AZ_LETTERS[region] ?? ["a", "b", "c"];
    return { names: letters.map((l) => `${region}${l}`), zoneIds: letters.map((_, n) => `${region.slice(0, 2)}-az${n + 1}`) };
  },
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({ accountId: MOCK_ACCOUNT, arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/mock`, userId: "MOCK" }),
  "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com" }),
  "aws:index/getRegion:getRegion": (i) => ({ name: i.region ?? DEFAULT_REGION, region: i.region ?? DEFAULT_REGION }),
  "aws:ssm/getParameter:getParameter": (i) => ({ name: i.name, value: `ami-${hash(String(i.name) + String(i.region ?? "")).slice(0, 17)}`, type: "String" }),
  "aws:elb/getServiceAccount:getServiceAccount": (i) => ({ arn: `arn:aws:iam::600734575887:root`, id: `elb-${i.region ?? DEFAULT_REGION}` }),
  "aws:iam/getPolicyDocument:getPolicyDocument": (i) => ({ json: JSON.stringify({ Version: "2012-10-17", Statement: i.statements ?? [] }) }),
  // the hosted zone of edge.zoneName when edge.zoneId is not set
  "aws:route53/getZone:getZone": (i) => ({ id: `Z${hash(String(i.name)).slice(0, 12).toUpperCase()}`, zoneId: `Z${hash(String(i.name)).slice(0, 12).toUpperCase()}`, name: i.name, privateZone: false }),
  // AWS-managed prefix lists (CloudFront origin-facing, Route 53 health checkers): ids differ per region
  "aws:ec2/getManagedPrefixList:getManagedPrefixList": (i) => ({ id: `pl-${hash(String(i.name) + String(i.region ?? "")).slice(0, 8)}`, name: i.name, addressFamily: "IPv4", maxEntries: String(i.name).includes("cloudfront") ? 55 : 25, entries: [] }),
  "aws:secretsmanager/getRandomPassword:getRandomPassword": () => ({ randomPassword: "mock-random-password-0123456789abcdef" }),
  // Cloudflare's published ranges (a sample of the real list), for the DigitalOcean load balancer's firewall
  "cloudflare:index/getIpRanges:getIpRanges": () => ({ id: "cloudflare-ips", etag: "mock", ipv4Cidrs: CLOUDFLARE_IPV4_SAMPLE, ipv6Cidrs: ["2400:cb00::/32"], chinaIpv4Cidrs: [], chinaIpv6Cidrs: [] }),
  // a managed database cluster's CA, which the droplets verify MySQL against
  "digitalocean:index/getDatabaseCa:getDatabaseCa": (i) => ({ id: String(i.clusterId), clusterId: i.clusterId, certificate: mockDatabaseCa(String(i.clusterId)) }),
};

/** Two of Cloudflare's IPv4 ranges, enough to see the firewall's shape. */
export const CLOUDFLARE_IPV4_SAMPLE = ["173.245.48.0/20", "103.21.244.0/22"];

/**
 * AWS provider functions answered from data compiled into the provider, without a request
 * (terraform-provider-aws: data sources aws_elb_service_account, aws_partition,
 * aws_iam_policy_document build their result locally). Every other AWS function calls the cloud.
 */
export const LOCAL_INVOKES: ReadonlySet<string> = new Set([
  "aws:elb/getServiceAccount:getServiceAccount",
  "aws:index/getPartition:getPartition",
  "aws:iam/getPolicyDocument:getPolicyDocument",
]);

/** AWS services with one global endpoint (route53.amazonaws.com, iam.amazonaws.com). */
const GLOBAL_SERVICES = ["route53", "iam", "cloudfront"];

/** A resource type or function token of a global service ("aws:iam/role:Role"). */
function isGlobalService(token: string): boolean {
  return GLOBAL_SERVICES.some((s) => token.startsWith(`aws:${s}/`));
}

export class RecordingMocks implements pulumi.runtime.Mocks {
  readonly resources: PlannedResource[] = [];
  /** type::name of resources registered with retainOnDelete (recorded by evaluate.ts's root transformation) */
  readonly retained = new Set<string>();
  /** dependencies and replacement options per type::name (filled by registrations.ts) */
  readonly registrations = new Map<string, Registration>();
  /** every invoke, in call order, with the region it is sent to */
  readonly invokes: PlannedInvoke[] = [];
  /** packages whose default provider a resource or an invoke used (no explicit provider) */
  readonly defaultProviders = new Set<string>();
  private readonly providerRegions = new Map<string, string>();

  /** `defaultRegion`: the stack's aws:region, where the default AWS provider sends its calls */
  constructor(private readonly project: string, private readonly stack: string, private readonly defaultRegion = DEFAULT_REGION) {}

  async newResource(args: pulumi.runtime.MockResourceArgs): Promise<{ id: string; state: Record<string, unknown> }> {
    const inputs = (await plainData(args.inputs ?? {})) as Record<string, unknown>;
    const custom = args.custom !== false;
    if (custom && !args.provider && !args.type.startsWith("pulumi:providers:")) this.defaultProviders.add(args.type.split(":")[0]);
    const id = custom ? `${args.name}-id` : "";
    const urn = `urn:pulumi:${this.stack}::${this.project}::${args.type}::${args.name}`;
    if (args.type.startsWith("pulumi:providers:") && typeof inputs.region === "string") this.providerRegions.set(args.name, inputs.region);
    // a provider is configuration, in no region (its `region` only says where its calls go); a global
    // service's resource (IAM, Route 53, CloudFront) has no region, whatever its provider's
    const region = args.type.startsWith("pulumi:providers:") ? undefined : typeof inputs.region === "string" ? inputs.region : isGlobalService(args.type) ? undefined : this.regionOfProvider(args.provider);
    const computed = computedOutputs(args.type, args.name, id, region ?? DEFAULT_REGION, inputs);
    const arn = custom && typeof computed.arn === "string" ? computed.arn : undefined;
    const retainOnDelete = this.retained.has(`${args.type}::${args.name}`);
    const reg = this.registrations.get(`${args.type}::${args.name}`);
    const registration = reg ? {
      dependencies: reg.dependencies.map((d) => this.urnOf(d)),
      ...(reg.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
      ...(reg.aliases.length > 0 ? { aliases: reg.aliases.map((a) => this.urnOf(a)) } : {}),
      ...(reg.parent ? { parentUrn: this.urnOf(reg.parent) } : {}),
    } : {};
    this.resources.push({ urn, type: args.type, name: args.name, inputs, custom, region, ...(arn !== undefined ? { arn } : {}), ...(retainOnDelete ? { retainOnDelete } : {}), ...registration });
    return { id, state: { ...inputs, ...computed } };
  }

  /**
   * Waits until no more resources register: component children register asynchronously, so
   * the count must stay the same over a few timer turns.
   */
  async settled(): Promise<void> {
    let last = -1;
    let stable = 0;
    while (stable < 5) {
      await new Promise((r) => setTimeout(r, 5));
      const now = this.resources.length;
      stable = now === last ? stable + 1 : 0;
      last = now;
    }
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const invoke = INVOKES[args.token];
    if (!invoke) throw new Error(`offline plan: no mock for invoke ${args.token}; add it to tools/plan/mocks.ts`);
    const inputs = args.inputs ?? {};
    if (!args.provider) this.defaultProviders.add(args.token.split(":")[0]);
    const region = this.invokeRegion(args.token, inputs, args.provider);
    this.invokes.push({ token: args.token, ...(region ? { region } : {}) });
    return invoke(inputs);
  }

  /** `type::name` → the plan's URN form */
  urnOf(typeAndName: string): string {
    return `urn:pulumi:${this.stack}::${this.project}::${typeAndName}`;
  }

  /**
   * Where an invoke goes: AWS calls to their `region` input, else their provider's region, else
   * the default provider's. Functions answered inside the provider (LOCAL_INVOKES) go nowhere;
   * Cloudflare's API is global.
   */
  private invokeRegion(token: string, inputs: Record<string, unknown>, provider: string | undefined): string | undefined {
    if (!token.startsWith("aws:") || LOCAL_INVOKES.has(token)) return undefined;
    // global services: one endpoint, whose control plane is in us-east-1, whatever the provider's region
    if (isGlobalService(token)) return "us-east-1";
    if (typeof inputs.region === "string") return inputs.region;
    return this.regionOfProvider(provider) ?? this.defaultRegion;
  }

  private regionOfProvider(ref: string | undefined): string | undefined {
    if (!ref) return undefined;
    // a provider reference is "<provider URN>::<provider id>", and the URN ends with the provider's name
    const parts = ref.split("::");
    const name = parts.length >= 2 ? parts[parts.length - 2] : undefined;
    return name ? this.providerRegions.get(name) : undefined;
  }
}

/**
 * Inputs as plain data: assets and archives arrive as objects holding promises (their path or
 * text), which the plan, its JSON output and the policy review could not copy. Resolve them.
 */
async function plainData(value: unknown): Promise<unknown> {
  if (value instanceof Promise) return plainData(await value);
  if (Array.isArray(value)) return Promise.all(value.map(plainData));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === "function") continue;
      out[k] = await plainData(v);
    }
    return out;
  }
  return value;
}

/** Outputs the providers compute that the program reads (ARNs, endpoints, DNS names). */
function computedOutputs(type: string, name: string, id: string, region: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const [pkg, mod] = type.split(":");
  if (pkg === "digitalocean") return digitaloceanOutputs(type, name, inputs);
  if (pkg !== "aws") return {};
  const service = mod.split("/")[0];
  const out: Record<string, unknown> = { arn: arnFor(service, type, region, name), id };
  switch (type) {
    case "aws:ec2/eip:Eip": return { ...out, allocationId: `eipalloc-${hash(name).slice(0, 8)}`, publicIp: "203.0.113.20" };
    case "aws:lb/loadBalancer:LoadBalancer": return { ...out, dnsName: `${name}.${region}.elb.amazonaws.com`, zoneId: "ZMOCKALBZONE", arnSuffix: `app/${name}/${hash(name).slice(0, 16)}` };
    case "aws:lb/targetGroup:TargetGroup": return { ...out, arnSuffix: `targetgroup/${name}/${hash(name).slice(0, 16)}` };
    case "aws:rds/instance:Instance": return { ...out, address: `${name}.mock.${region}.rds.amazonaws.com`, endpoint: `${name}.mock.${region}.rds.amazonaws.com:3306`, port: 3306, identifier: inputs.identifier ?? name, masterUserSecrets: [{ secretArn: `arn:aws:secretsmanager:${region}:${MOCK_ACCOUNT}:secret:rds!${name}`, kmsKeyId: "", secretStatus: "active" }] };
    case "aws:elasticache/replicationGroup:ReplicationGroup": return { ...out, primaryEndpointAddress: `master.${name}.mock.${region}.cache.amazonaws.com`, readerEndpointAddress: `replica.${name}.mock.${region}.cache.amazonaws.com`, port: 6379 };
    case "aws:cloudfront/distribution:Distribution": return { ...out, domainName: `${hash(name).slice(0, 13)}.cloudfront.net`, hostedZoneId: "Z2FDTNDATAQYW2" };
    case "aws:s3/bucket:Bucket":
    case "aws:s3/bucketV2:BucketV2": return { ...out, bucket: inputs.bucket ?? name, bucketRegionalDomainName: `${inputs.bucket ?? name}.s3.${region}.amazonaws.com` };
    case "aws:kms/key:Key": return { ...out, keyId: hash(name) };
    case "aws:autoscaling/group:Group": return { ...out, name: inputs.name ?? name };
    case "aws:launchTemplate/launchTemplate:LaunchTemplate":
    case "aws:ec2/launchTemplate:LaunchTemplate": return { ...out, latestVersion: 1 };
    case "aws:sns/topic:Topic": return { ...out, name: inputs.name ?? name };
    case "aws:cloudwatch/logGroup:LogGroup": return { ...out, name: inputs.name ?? name };
    case "aws:route53/zone:Zone": return { ...out, zoneId: `Z${hash(name).slice(0, 12).toUpperCase()}`, nameServers: ["ns-1.awsdns-00.org"] };
    case "aws:backup/vault:Vault": return { ...out, name: inputs.name ?? name };
    // the provider's id of these groups is their name, so an instance naming its group by name
    // names it by id (the offline review then sees the dependency)
    case "aws:rds/parameterGroup:ParameterGroup":
    case "aws:rds/subnetGroup:SubnetGroup": return { ...out, name: inputs.name ?? id };
    default: return out;
  }
}

function arnFor(service: string, type: string, region: string, name: string): string {
  const resource = type.split(":").pop()!.toLowerCase();
  switch (service) {
    case "rds": return `arn:aws:rds:${region}:${MOCK_ACCOUNT}:${resource === "instance" ? "db" : resource}:${name}`;
    case "kms": return `arn:aws:kms:${region}:${MOCK_ACCOUNT}:key/${hash(name)}`;
    case "iam": return `arn:aws:iam::${MOCK_ACCOUNT}:${resource}/${name}`;
    case "s3": return `arn:aws:s3:::${name}`;
    case "cloudfront": return resource === "function" ? `arn:aws:cloudfront::${MOCK_ACCOUNT}:function/${name}` : `arn:aws:cloudfront::${MOCK_ACCOUNT}:distribution/${hash(name).slice(0, 14).toUpperCase()}`;
    case "route53": return `arn:aws:route53:::${resource}/${name}`;
    case "secretsmanager": return `arn:aws:secretsmanager:${region}:${MOCK_ACCOUNT}:secret:${name}`;
    case "cloudwatch": return resource === "loggroup" ? `arn:aws:logs:${region}:${MOCK_ACCOUNT}:log-group:${name}` : `arn:aws:cloudwatch:${region}:${MOCK_ACCOUNT}:${resource}:${name}`;
    default: return `arn:aws:${service}:${region}:${MOCK_ACCOUNT}:${resource}/${name}`;
  }
}

/**
 * The CA getDatabaseCa answers for a cluster under the mocks: a well-formed PEM (base64 of
 * MOCK-CA-<cluster id>), so a stand-in pin (sites.<site>.databaseCaCertificate) can equal it.
 */
export function mockDatabaseCa(clusterId: string): string {
  return `-----BEGIN CERTIFICATE-----\n${Buffer.from(`MOCK-CA-${clusterId}`).toString("base64")}\n-----END CERTIFICATE-----\n`;
}

/** A stable hex digest, so mock ids do not change between runs. */
function hash(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    h1 = Math.imul(h1 ^ text.charCodeAt(i), 16777619) >>> 0;
    h2 = Math.imul(h2 ^ text.charCodeAt(i), 2246822519) >>> 0;
  }
  return (h1.toString(16).padStart(8, "0") + h2.toString(16).padStart(8, "0")).repeat(2);
}

/** Outputs the DigitalOcean provider computes that the program reads (URNs, hosts, credentials). */
function digitaloceanOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const base = { urn: `do:${name}`, name: inputs.name ?? name };
  switch (type) {
    case "digitalocean:index/vpc:Vpc": return { ...base, vpcUrn: `do:vpc:${name}` };
    case "digitalocean:index/loadBalancer:LoadBalancer": return { ...base, ip: "203.0.113.10", loadBalancerUrn: `do:loadbalancer:${name}` };
    case "digitalocean:index/databaseCluster:DatabaseCluster": {
      const valkey = inputs.engine === "valkey";
      return { ...base, clusterUrn: `do:dbaas:${name}`, host: `${name}.db.ondigitalocean.com`, privateHost: `private-${name}.db.ondigitalocean.com`, port: valkey ? 25061 : 25060, user: valkey ? "default" : "doadmin", password: `mock-${name}-password`, uri: `${valkey ? "rediss" : "mysql"}://${name}` };
    }
    case "digitalocean:index/databaseReplica:DatabaseReplica": return { ...base, uuid: `${name}-uuid`, host: `${name}.db.ondigitalocean.com`, privateHost: `private-${name}.db.ondigitalocean.com`, port: 25060 };
    case "digitalocean:index/databaseUser:DatabaseUser": return { ...base, password: `mock-${name}-password`, role: "normal" };
    case "digitalocean:index/spacesBucket:SpacesBucket": return { ...base, bucketUrn: `do:space:${inputs.name ?? name}`, bucketDomainName: `${inputs.name ?? name}.${inputs.region}.digitaloceanspaces.com`, endpoint: `${inputs.region}.digitaloceanspaces.com` };
    case "digitalocean:index/spacesKey:SpacesKey": return { ...base, accessKey: `DO00MOCK${hash(name).slice(0, 12).toUpperCase()}`, secretKey: `mock-${name}-secret` };
    case "digitalocean:index/droplet:Droplet": return { ...base, dropletUrn: `do:droplet:${name}` };
    case "digitalocean:index/sshKey:SshKey": return { ...base, fingerprint: hash(name).slice(0, 32).replace(/(..)(?!$)/g, "$1:") };
    case "digitalocean:index/cdn:Cdn": return { ...base, endpoint: `${String(inputs.origin ?? name).replace(".digitaloceanspaces.com", ".cdn.digitaloceanspaces.com")}` };
    default: return base;
  }
}
