// Resource type tokens the pack checks, each verified against the `__pulumiType` of the provider
// SDK installed in node_modules (@pulumi/aws 7, @pulumi/digitalocean 4, @pulumi/cloudflare 6).
// Rules compare tokens as strings so that tests and the offline review never load the SDKs.

export const AWS = {
  rdsInstance: "aws:rds/instance:Instance",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  defaultSecurityGroup: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egressRule: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  replicationGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
  lbLoadBalancer: "aws:lb/loadBalancer:LoadBalancer",
  albLoadBalancer: "aws:alb/loadBalancer:LoadBalancer",
  lbListener: "aws:lb/listener:Listener",
  albListener: "aws:alb/listener:Listener",
  distribution: "aws:cloudfront/distribution:Distribution",
  bucket: "aws:s3/bucket:Bucket",
  bucketV2: "aws:s3/bucketV2:BucketV2",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  bucketEncryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  bucketEncryptionV2: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  vpc: "aws:ec2/vpc:Vpc",
  subnet: "aws:ec2/subnet:Subnet",
  flowLog: "aws:ec2/flowLog:FlowLog",
  kmsKey: "aws:kms/key:Key",
  autoscalingGroup: "aws:autoscaling/group:Group",
  natGateway: "aws:ec2/natGateway:NatGateway",
  route53Record: "aws:route53/record:Record",
  route53HealthCheck: "aws:route53/healthCheck:HealthCheck",
  backupPlan: "aws:backup/plan:Plan",
  rdsParameterGroup: "aws:rds/parameterGroup:ParameterGroup",
  snsTopic: "aws:sns/topic:Topic",
  metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  compositeAlarm: "aws:cloudwatch/compositeAlarm:CompositeAlarm",
  eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
  backupVaultNotifications: "aws:backup/vaultNotifications:VaultNotifications",
} as const;

export const DO = {
  firewall: "digitalocean:index/firewall:Firewall",
  databaseFirewall: "digitalocean:index/databaseFirewall:DatabaseFirewall",
  databaseCluster: "digitalocean:index/databaseCluster:DatabaseCluster",
  databaseReplica: "digitalocean:index/databaseReplica:DatabaseReplica",
  spacesBucket: "digitalocean:index/spacesBucket:SpacesBucket",
  spacesBucketObject: "digitalocean:index/spacesBucketObject:SpacesBucketObject",
  spacesBucketPolicy: "digitalocean:index/spacesBucketPolicy:SpacesBucketPolicy",
  cdn: "digitalocean:index/cdn:Cdn",
} as const;

export const CLOUDFLARE = {
  dnsRecord: "cloudflare:index/dnsRecord:DnsRecord",
  record: "cloudflare:index/record:Record",
  loadBalancer: "cloudflare:index/loadBalancer:LoadBalancer",
  loadBalancerPool: "cloudflare:index/loadBalancerPool:LoadBalancerPool",
} as const;

/** The stack-level marker the program registers (infra/program.ts `Deployment`). */
export const DEPLOYMENT = "resilient-feed:index:Deployment";

// The DR modes are the program's vocabulary: the pack reads the leaf infra/facts, nothing else of infra/.
export { DR_MODES, type DrMode } from "../../infra/facts/vocabulary";
