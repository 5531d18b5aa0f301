import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { ApiService, type ApiServiceArgs } from "../../infra/aws/api-service";
import type { SiteTopology, Topology } from "../../infra/topology/types";
import { CERT_ARN, Recorded, type TierMocks, devAwsTopology, fakeNetwork, json, pick, prodTopology, record, setupMocks, siteOf, value } from "./support/harness";

const SHA = { server: "a".repeat(64), worker: "b".repeat(64) };
const secretArn = (region: string, name: string) => `arn:aws:secretsmanager:${region}:123456789012:secret:${name}`;

function apiArgs(topology: Topology, site: SiteTopology, endpoints: ApiServiceArgs["endpoints"]): ApiServiceArgs {
  const n = fakeNetwork(site);
  return {
    topology,
    site,
    vpcId: n.vpcId,
    publicSubnetIds: n.publicSubnetIds,
    appSubnetIds: n.appSubnetIds,
    loadBalancerSecurityGroupId: n.loadBalancerSecurityGroupId,
    appSecurityGroupId: n.appSecurityGroupId,
    bundle: {
      bucketName: `${site.key}-artifacts`,
      bucketArn: `arn:aws:s3:::${site.key}-artifacts`,
      serverKey: "releases/0123456789abcdef/server.js",
      workerKey: "releases/0123456789abcdef/worker.js",
      serverSha256: SHA.server,
      workerSha256: SHA.worker,
    },
    endpoints,
    logGroupName: `/resilient-feed/${topology.environment}/${site.key}/app`,
    logGroupArn: `arn:aws:logs:${site.region}:123456789012:log-group:/resilient-feed/${topology.environment}/${site.key}/app`,
  };
}

const PRIMARY_ENDPOINTS = {
  dbPrimaryHost: "primary-db.seoul.rds.amazonaws.com",
  dbReplicaHosts: ["primary-db-read-0.seoul.rds.amazonaws.com", "primary-db-read-1.seoul.rds.amazonaws.com"],
  dbName: "feed",
  dbSecretArn: secretArn("ap-northeast-2", "rds!primary-db"),
  redis: { host: "master.primary-cache.seoul.cache.amazonaws.com", port: 6379, authSecretArn: secretArn("ap-northeast-2", "primary-cache-auth") },
  sessionSecretArn: secretArn("ap-northeast-2", "primary-session"),
};
const SECONDARY_ENDPOINTS = {
  dbPrimaryHost: "primary-db.seoul.rds.amazonaws.com",
  dbReplicaHosts: ["secondary-db.tokyo.rds.amazonaws.com"],
  dbName: "feed",
  dbSecretArn: secretArn("ap-northeast-2", "rds!primary-db"),
  redis: { host: "master.secondary-cache.tokyo.cache.amazonaws.com", port: 6379, authSecretArn: secretArn("ap-northeast-1", "secondary-cache-auth") },
  sessionSecretArn: secretArn("ap-northeast-1", "secondary-session"),
};

describe("ApiService (ALB, target group, listeners, launch template, ASG)", function () {
  this.timeout(60_000);
  let mocks: TierMocks;
  let prod: Topology;
  let primary: Recorded;
  let secondary: Recorded;
  let dev: Recorded;
  let primaryApi: ApiService;
  let devApi: ApiService;

  before(async () => {
    mocks = await setupMocks();
    prod = prodTopology();
    primary = await record(mocks, () => { primaryApi = new ApiService("primary-api", apiArgs(prod, siteOf(prod, "primary"), PRIMARY_ENDPOINTS)); });
    secondary = await record(mocks, () => { new ApiService("secondary-api", apiArgs(prod, siteOf(prod, "secondary"), SECONDARY_ENDPOINTS)); });
    const devTopology = devAwsTopology();
    dev = await record(mocks, () => {
      devApi = new ApiService("dev-api", apiArgs(devTopology, siteOf(devTopology, "primary"), {
        dbPrimaryHost: "dev-db.sg.rds.amazonaws.com", dbReplicaHosts: [], dbName: "feed", dbSecretArn: secretArn("ap-southeast-1", "rds!dev-db"),
        redis: { host: "master.dev-cache.sg.cache.amazonaws.com", port: 6379, authSecretArn: secretArn("ap-southeast-1", "dev-cache-auth") },
        sessionSecretArn: secretArn("ap-southeast-1", "dev-session"),
      }));
    });
  });

  it("ALB: internet-facing in the public subnets with the LB group, invalid headers dropped, access logs, deletion protection in prod only", () => {
    const keys = ["region", "loadBalancerType", "internal", "subnets", "securityGroups", "dropInvalidHeaderFields", "enableDeletionProtection", "accessLogs"];
    assert.deepEqual(pick(primary.one("lb/loadBalancer:LoadBalancer", "primary-api"), keys), {
      region: "ap-northeast-2", loadBalancerType: "application", internal: false,
      subnets: ["primary-public-0", "primary-public-1", "primary-public-2"], securityGroups: ["sg-primary-lb"],
      dropInvalidHeaderFields: true, enableDeletionProtection: true,
      accessLogs: { bucket: "primary-api-alb-logs-id", prefix: "alb", enabled: true },
    });
    const d = dev.one("lb/loadBalancer:LoadBalancer", "dev-api").inputs;
    assert.deepEqual([d.region, d.enableDeletionProtection, d.subnets], ["ap-southeast-1", false, ["primary-public-0", "primary-public-1"]]);
  });

  it("access-log bucket: private, SSE-S3, expiring after the log retention, writable by ELB log delivery only", () => {
    assert.deepEqual(pick(primary.one("s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "primary-api-alb-logs"), ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]),
      { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    assert.deepEqual(primary.one("s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "primary-api-alb-logs").inputs.rules,
      [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }]);
    const rules = primary.one("s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "primary-api-alb-logs").inputs.rules as any[];
    assert.deepEqual(rules.find((r) => r.id === "expire-objects").expiration, { days: 90 });
    const policy = json(primary.one("s3/bucketPolicy:BucketPolicy", "primary-api-alb-logs").inputs.policy);
    assert.deepEqual(policy.Statement.map((s: any) => [s.Effect, s.Principal, s.Action, s.Resource]), [
      ["Allow", { AWS: "arn:aws:iam::600734575887:root" }, "s3:PutObject", "arn:aws:s3:::primary-api-alb-logs/alb/AWSLogs/*"],
      ["Allow", { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }, "s3:PutObject", "arn:aws:s3:::primary-api-alb-logs/alb/AWSLogs/*"],
      ["Deny", "*", "s3:*", ["arn:aws:s3:::primary-api-alb-logs", "arn:aws:s3:::primary-api-alb-logs/*"]],
    ]);
  });

  it("target group: app port, GET /healthz (liveness, never the database) with explicit interval, thresholds and matcher, deregistration = drain time", () => {
    assert.deepEqual(pick(primary.one("lb/targetGroup:TargetGroup", "primary-api"), ["region", "vpcId", "port", "protocol", "targetType", "deregistrationDelay", "healthCheck"]), {
      region: "ap-northeast-2", vpcId: "vpc-primary", port: 8080, protocol: "HTTP", targetType: "instance", deregistrationDelay: 30,
      healthCheck: { enabled: true, protocol: "HTTP", port: "traffic-port", path: "/healthz", interval: 10, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3, matcher: "200" },
    });
  });

  it("with a certificate: HTTPS 443 with the TLS 1.3 policy forwarding, HTTP 80 → 301 to HTTPS", () => {
    const listeners = primary.of("lb/listener:Listener").sort((a, b) => Number(b.inputs.port) - Number(a.inputs.port)).map((l) => pick(l, ["port", "protocol", "sslPolicy", "certificateArn", "defaultActions", "loadBalancerArn"]));
    assert.deepEqual(listeners, [
      { port: 443, protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", certificateArn: CERT_ARN, defaultActions: [{ type: "forward", targetGroupArn: "arn:aws:lb:ap-northeast-2:123456789012:targetgroup/primary-api" }], loadBalancerArn: "arn:aws:lb:ap-northeast-2:123456789012:loadbalancer/primary-api" },
      { port: 80, protocol: "HTTP", sslPolicy: undefined, certificateArn: undefined, defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }], loadBalancerArn: "arn:aws:lb:ap-northeast-2:123456789012:loadbalancer/primary-api" },
    ]);
    assert.equal(primaryApi.protocol, "https");
  });

  it("the load balancer answers /metrics itself with a 404: metrics are scraped on the instance, not public", () => {
    const rule = (r: Recorded, name: string) => pick(r.one("lb/listenerRule:ListenerRule", name), ["region", "listenerArn", "priority", "conditions", "actions"]);
    const expected = (region: string, listener: string) => ({
      region, listenerArn: `arn:aws:lb:${region}:123456789012:listener/${listener}`, priority: 10,
      conditions: [{ pathPattern: { values: ["/metrics", "/metrics/*"] } }],
      actions: [{ type: "fixed-response", fixedResponse: { statusCode: "404", contentType: "application/json", messageBody: '{"error":{"code":"not_found","message":"not found"}}' } }],
    });
    assert.deepEqual(rule(primary, "primary-api-hide-metrics"), expected("ap-northeast-2", "primary-api-https"));
    assert.deepEqual(rule(dev, "dev-api-hide-metrics"), expected("ap-southeast-1", "dev-api-http"), "dev: on the one HTTP listener");
  });

  it("without a certificate (dev): one HTTP 80 listener forwarding", () => {
    assert.deepEqual(dev.of("lb/listener:Listener").map((l) => [l.inputs.port, l.inputs.protocol, (l.inputs.defaultActions as any[])[0].type]), [[80, "HTTP", "forward"]]);
    assert.equal(devApi.protocol, "http");
  });

  it("launch template: AL2023 arm64 from the public SSM parameter, IMDSv2 only with hop limit 1, encrypted gp3, no key pair", () => {
    const lt = primary.one("ec2/launchTemplate:LaunchTemplate", "primary-api").inputs as any;
    assert.match(lt.imageId, /^ami-[0-9a-f]{17}$/);
    assert.deepEqual(
      { region: lt.region, instanceType: lt.instanceType, keyName: lt.keyName, vpcSecurityGroupIds: lt.vpcSecurityGroupIds, metadataOptions: lt.metadataOptions, blockDeviceMappings: lt.blockDeviceMappings, monitoring: lt.monitoring, iamInstanceProfile: lt.iamInstanceProfile },
      {
        region: "ap-northeast-2", instanceType: "m7g.large", keyName: undefined, vpcSecurityGroupIds: ["sg-primary-app"],
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
        blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 20, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } }],
        monitoring: { enabled: true },
        iamInstanceProfile: { arn: "arn:aws:iam::123456789012:instanceprofile/primary-api" },
      },
    );
    assert.equal(dev.one("ec2/launchTemplate:LaunchTemplate", "dev-api").inputs.instanceType, "t4g.small");
  });

  it("the AMI: the site's pin (prod pins both), else the AL2023 parameter of its architecture, looked up in its own region", () => {
    // the base mocks also record each call (token and region, no inputs): count the harness's records
    const amiLookups = mocks.invokes.filter((i) => i.token === "aws:ssm/getParameter:getParameter" && i.inputs !== undefined).map((i) => i.inputs);
    assert.deepEqual(amiLookups.map((i) => i!.region), ["ap-southeast-1"], "only dev's unpinned site looks up, in its own region");
    assert.match(String(amiLookups[0]!.name), /^\/aws\/service\/ami-amazon-linux-latest\/al2023-ami-kernel-default-(arm64|x86_64)$/);
    assert.equal(primary.one("ec2/launchTemplate:LaunchTemplate", "primary-api").inputs.imageId, siteOf(prod, "primary").pins?.amiId);
    assert.equal(secondary.one("ec2/launchTemplate:LaunchTemplate", "secondary-api").inputs.imageId, siteOf(prod, "secondary").pins?.amiId);
    assert.match(String(dev.one("ec2/launchTemplate:LaunchTemplate", "dev-api").inputs.imageId), /^ami-[0-9a-f]{17}$/);
  });

  it("user data: base64 of the boot script with this site's endpoints, release and log group", async () => {
    const text = Buffer.from(String(primary.one("ec2/launchTemplate:LaunchTemplate", "primary-api").inputs.userData), "base64").toString("utf8");
    assert.equal(text, await value(primaryApi.userData));
    for (const line of [
      "DB_PRIMARY_HOST=primary-db.seoul.rds.amazonaws.com",
      "DB_REPLICA_HOSTS=primary-db-read-0.seoul.rds.amazonaws.com,primary-db-read-1.seoul.rds.amazonaws.com",
      "replicas=('primary-db-read-0.seoul.rds.amazonaws.com' 'primary-db-read-1.seoul.rds.amazonaws.com')",
      // Seoul is 10.10.0.0/16: the app tier is 10.10.64.0/18, so node ids are the low 14 bits
      "node=$(( ((o1 << 24) | (o2 << 16) | (o3 << 8) | o4) & 16383 ))",
      "COOKIE_SECURE=true",
      "SESSION_SECRET_ARN=arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:primary-session",
      "REDIS_HOST=master.primary-cache.seoul.cache.amazonaws.com",
      "SITE_ID=1",
      "PORT=8080",
      "DRAIN_SECONDS=30",
      "aws s3 cp --region ap-northeast-2 's3://primary-artifacts/releases/0123456789abcdef/server.js'",
      `echo '${SHA.server}  /opt/resilient-feed/releases/aaaaaaaaaaaaaaaa/server.js' | sha256sum -c -`,
      '"log_group_name": "/resilient-feed/prod/primary/app"',
    ]) assert.ok(text.includes(line), `user data lacks ${line}`);
    const tokyo = Buffer.from(String(secondary.one("ec2/launchTemplate:LaunchTemplate", "secondary-api").inputs.userData), "base64").toString("utf8");
    assert.ok(tokyo.includes("DB_PRIMARY_HOST=primary-db.seoul.rds.amazonaws.com\n"));
    assert.ok(tokyo.includes("DB_REPLICA_HOSTS=secondary-db.tokyo.rds.amazonaws.com\n"));
    assert.ok(tokyo.includes("REDIS_HOST=master.secondary-cache.tokyo.cache.amazonaws.com\n"));
    assert.ok(tokyo.includes("SITE_ID=2\n"));
    // the writer's secret is read from the writer's region
    assert.ok(tokyo.includes("aws secretsmanager get-secret-value --region ap-northeast-2 --secret-id 'arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:rds!primary-db'"));
  });

  it("instance role: EC2 trust, SSM core, and an inline policy granting only the release, the three secrets, the log group and scoped metrics", () => {
    assert.deepEqual(json(primary.one("iam/role:Role", "primary-api-instance").inputs.assumeRolePolicy).Statement, [
      { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    assert.deepEqual(primary.of("iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => a.inputs.policyArn), ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]);
    const logGroup = "arn:aws:logs:ap-northeast-2:123456789012:log-group:/resilient-feed/prod/primary/app";
    assert.deepEqual(json(primary.one("iam/rolePolicy:RolePolicy", "primary-api-instance").inputs.policy).Statement, [
      { Sid: "ReadAppRelease", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::primary-artifacts/releases/*"] },
      { Sid: "ReadAppSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [PRIMARY_ENDPOINTS.dbSecretArn, PRIMARY_ENDPOINTS.sessionSecretArn, PRIMARY_ENDPOINTS.redis.authSecretArn] },
      { Sid: "ShipAppLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [logGroup, `${logGroup}:*`] },
      { Sid: "PublishMetrics", Effect: "Allow", Action: ["cloudwatch:PutMetricData"], Resource: ["*"], Condition: { StringLike: { "cloudwatch:namespace": "ResilientFeed*" } } },
      { Sid: "AgentDescribeTags", Effect: "Allow", Action: ["ec2:DescribeTags"], Resource: ["*"] },
    ]);
  });

  it("ASG: private-app subnets, ELB health checks with grace, capacity per site role, instance refresh with the configured min healthy %", () => {
    const keys = ["region", "vpcZoneIdentifiers", "minSize", "maxSize", "desiredCapacity", "healthCheckType", "healthCheckGracePeriod", "targetGroupArns", "instanceRefresh", "launchTemplate"];
    assert.deepEqual(pick(primary.one("autoscaling/group:Group", "primary-api"), keys), {
      region: "ap-northeast-2", vpcZoneIdentifiers: ["primary-app-0", "primary-app-1", "primary-app-2"], minSize: 3, maxSize: 12, desiredCapacity: 3,
      healthCheckType: "ELB", healthCheckGracePeriod: 180, targetGroupArns: ["arn:aws:lb:ap-northeast-2:123456789012:targetgroup/primary-api"],
      instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 90, instanceWarmup: "120", skipMatching: true } },
      launchTemplate: { id: "primary-api-id", version: "1" },
    });
    // warm standby: one instance, room to scale to full size on failover
    assert.deepEqual(pick(secondary.one("autoscaling/group:Group", "secondary-api"), ["region", "minSize", "maxSize", "desiredCapacity"]), { region: "ap-northeast-1", minSize: 1, maxSize: 12, desiredCapacity: 1 });
    assert.deepEqual(pick(dev.one("autoscaling/group:Group", "dev-api"), ["minSize", "maxSize", "desiredCapacity"]), { minSize: 1, maxSize: 2, desiredCapacity: 1 });
    const tags = primary.one("autoscaling/group:Group", "primary-api").inputs.tags as any[];
    // no role or dr-mode tag: they would change with a failover or a mode switch (static stability)
    assert.deepEqual(tags, [
      { key: "project", value: "resilient-feed", propagateAtLaunch: true }, { key: "environment", value: "prod", propagateAtLaunch: true },
      { key: "site", value: "primary", propagateAtLaunch: true }, { key: "tier", value: "api", propagateAtLaunch: true }, { key: "Name", value: "primary-api", propagateAtLaunch: true },
    ]);
  });

  it("target tracking on CPU and on ALB requests per target (resource label = ALB/TG suffixes)", () => {
    const policies = primary.of("autoscaling/policy:Policy").sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(policies.map((p) => [p.name, p.inputs.autoscalingGroupName, p.inputs.policyType]), [
      ["primary-api-cpu", "primary-api", "TargetTrackingScaling"],
      ["primary-api-requests", "primary-api", "TargetTrackingScaling"],
    ]);
    assert.deepEqual(policies[0].inputs.targetTrackingConfiguration, { predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" }, targetValue: 50 });
    const requests = policies[1].inputs.targetTrackingConfiguration as any;
    assert.equal(requests.targetValue, 1000);
    assert.equal(requests.predefinedMetricSpecification.predefinedMetricType, "ALBRequestCountPerTarget");
    assert.match(requests.predefinedMetricSpecification.resourceLabel, /^app\/primary-api\/[0-9a-f]{16}\/targetgroup\/primary-api\/[0-9a-f]{16}$/);
  });

  it("scheduled actions (flash sale) on the serving site only, in UTC", () => {
    assert.deepEqual(primary.of("autoscaling/schedule:Schedule").sort((a, b) => String(b.inputs.scheduledActionName).localeCompare(String(a.inputs.scheduledActionName))).map((s) => pick(s, ["scheduledActionName", "recurrence", "timeZone", "minSize", "maxSize", "desiredCapacity"])), [
      { scheduledActionName: "weekday-peak", recurrence: "30 4 * * MON-FRI", timeZone: "Etc/UTC", minSize: 6, maxSize: 12, desiredCapacity: 6 },
      { scheduledActionName: "weekday-after-peak", recurrence: "0 7 * * MON-FRI", timeZone: "Etc/UTC", minSize: 3, maxSize: 12, desiredCapacity: 3 },
    ]);
    assert.equal(secondary.of("autoscaling/schedule:Schedule").length, 0);
  });

  it("every AWS resource carries the site tags and lands in the site's region (IAM is global)", () => {
    for (const r of [...primary.custom, ...secondary.custom]) {
      const site = r.name.split("-")[0];
      const tags = (r.inputs.tags ?? {}) as Record<string, string> | { key: string; value: string }[];
      const t = Array.isArray(tags) ? Object.fromEntries(tags.map((x) => [x.key, x.value])) : tags;
      if (!r.type.startsWith("aws:iam/") ) assert.equal(r.region, site === "primary" ? "ap-northeast-2" : "ap-northeast-1", `${r.type} ${r.name}`);
      const taggable = !/(Policy|Attachment|Listener|Schedule|PublicAccessBlock|OwnershipControls|Encryption|Lifecycle|Versioning)/.test(r.type) || r.type.endsWith("Listener");
      if (taggable) assert.deepEqual([t.environment, t.site], ["prod", site], `${r.type} ${r.name} tags`);
    }
  });

  it("the group ignores desiredCapacity drift (scaling owns it), and nothing else is ignored or protected", async () => {
    // resource options do not reach the mocks; a transformation on the component sees every child's
    const seen: { type: string; name: string; ignoreChanges?: string[]; protect?: boolean }[] = [];
    const capture: pulumi.ResourceTransformation = (a) => {
      seen.push({ type: a.type, name: a.name, ignoreChanges: a.opts.ignoreChanges, protect: a.opts.protect });
      return undefined;
    };
    await record(mocks, () => { new ApiService("opts-api", apiArgs(prod, siteOf(prod, "primary"), PRIMARY_ENDPOINTS), { transformations: [capture] }); });
    assert.ok(seen.length > 20, "the transformation saw the children");
    assert.deepEqual(seen.filter((r) => r.ignoreChanges !== undefined || r.protect !== undefined).map((r) => [r.type, r.name, r.ignoreChanges]), [
      ["aws:autoscaling/group:Group", "opts-api", ["desiredCapacity"]],
    ]);
  });

  it("rejects what it cannot build, naming the problem", () => {
    const t = prodTopology({ mode: "backup-restore" });
    const standby = siteOf(t, "secondary");
    assert.throws(() => new ApiService("x-api", apiArgs(t, standby, SECONDARY_ENDPOINTS)), /ApiService x-api: site secondary has api.provisioned false/);
    const p = siteOf(prod, "primary");
    assert.throws(() => new ApiService("y-api", { ...apiArgs(prod, p, PRIMARY_ENDPOINTS), appSubnetIds: ["a", "b"] }), /expected 3 private-app subnets \(one per AZ\), got 2/);
    const tooBig = { ...prod, app: { ...prod.app, schedules: [{ name: "huge", recurrence: "0 0 * * *", min: 20, max: 20, desired: 20 }] } };
    assert.throws(() => new ApiService("z-api", apiArgs(tooBig, p, PRIMARY_ENDPOINTS)), /schedule huge max 20 exceeds the site's api.max 12/);
  });
});
