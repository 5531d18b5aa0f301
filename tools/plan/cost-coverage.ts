// Every resource type the program registers, and how the estimate treats it: priced by a rule,
// free (with the reason it costs nothing), or unpriced (with the reason no figure is given). A type
// missing here is reported as "no price" by the estimate, and the coverage test fails.
import * as aws from "./cost-aws-sites";
import * as svc from "./cost-aws-services";
import * as other from "./cost-other-clouds";
import type { PriceRule } from "./cost-types";

export type Coverage =
  | { readonly kind: "priced"; readonly rule: PriceRule }
  | { readonly kind: "free"; readonly reason: string }
  | { readonly kind: "unpriced"; readonly reason: string };

const priced = (rule: PriceRule): Coverage => ({ kind: "priced", rule });
const free = (reason: string): Coverage => ({ kind: "free", reason });

const NETWORK = "VPC plumbing: no charge (traffic is priced on NAT gateways, load balancers and transfer lines)";
const IAM = "IAM has no charge";
const CONFIG = "configuration of a priced resource: no charge of its own";
const BUCKET_PART = "S3 bucket setting: no charge (storage and requests are priced on the bucket)";

export const COVERAGE: Readonly<Record<string, Coverage>> = {
  // AWS: priced
  "aws:autoscaling/group:Group": priced(aws.autoScalingGroup),
  "aws:ec2/natGateway:NatGateway": priced(aws.natGateway),
  "aws:ec2/eip:Eip": priced(aws.elasticIp),
  "aws:lb/loadBalancer:LoadBalancer": priced(aws.loadBalancer),
  "aws:rds/instance:Instance": priced(aws.rdsInstance),
  "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": priced(aws.automatedBackupsReplication),
  "aws:elasticache/replicationGroup:ReplicationGroup": priced(aws.cacheReplicationGroup),
  "aws:ec2/vpcEndpoint:VpcEndpoint": priced(aws.vpcEndpoint),
  "aws:s3/bucket:Bucket": priced(svc.bucket),
  "aws:s3/bucketReplicationConfig:BucketReplicationConfig": priced(svc.bucketReplication),
  "aws:cloudfront/distribution:Distribution": priced(svc.distribution),
  "aws:cloudfront/function:Function": priced(svc.cloudfrontFunction),
  "aws:route53/healthCheck:HealthCheck": priced(svc.healthCheck),
  "aws:route53/record:Record": priced(svc.record),
  "aws:backup/plan:Plan": priced(svc.backupPlan),
  "aws:kms/key:Key": priced(svc.kmsKey),
  "aws:secretsmanager/secret:Secret": priced(svc.secret),
  "aws:cloudwatch/metricAlarm:MetricAlarm": priced(svc.metricAlarm),
  "aws:cloudwatch/dashboard:Dashboard": priced(svc.dashboard),
  "aws:cloudwatch/logGroup:LogGroup": priced(svc.logGroup),
  "aws:cloudwatch/logMetricFilter:LogMetricFilter": priced(svc.logMetricFilter),
  "aws:wafv2/webAcl:WebAcl": priced(svc.webAcl),
  // AWS: free
  "aws:wafv2/webAclAssociation:WebAclAssociation": free("an association has no charge: the web ACL is priced"),
  "aws:cloudwatch/eventRule:EventRule": free("EventBridge rules on AWS service events have no charge"),
  "aws:cloudwatch/eventTarget:EventTarget": free("targets have no charge (what they invoke is priced where it runs)"),
  "aws:autoscaling/policy:Policy": free("scaling policies have no charge (the instances they add are priced at the group's max size)"),
  "aws:autoscaling/schedule:Schedule": free("scheduled actions have no charge (the instances they add are priced at the group's max size)"),
  "aws:ec2/launchTemplate:LaunchTemplate": free("a template: its instances and volumes are priced on the Auto Scaling group"),
  "aws:backup/vault:Vault": free("a vault has no charge: its recovery points are priced on the backup plan's rules"),
  "aws:backup/selection:Selection": free("a selection has no charge: the backups it takes are priced on the plan"),
  "aws:cloudfront/originAccessControl:OriginAccessControl": free("origin access control has no charge"),
  "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": free("response headers policies have no charge"),
  "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": free("WAF logging itself has no charge: the log group's ingestion and storage are priced on the log group"),
  "aws:ec2/managedPrefixList:ManagedPrefixList": free(NETWORK),
  "aws:ec2/flowLog:FlowLog": free("priced as log ingestion on its CloudWatch log group"),
  "aws:lambda/function:Function": free("runs once per deploy (the database user provisioner): fractions of a cent"),
  "aws:lambda/invocation:Invocation": free("one invocation per deploy: fractions of a cent"),
  "aws:sns/topic:Topic": free("alarm notifications only: SNS topics have no charge, e-mail deliveries are a few per month"),
  "aws:sns/topicSubscription:TopicSubscription": free("subscriptions have no charge"),
  "aws:secretsmanager/secretVersion:SecretVersion": free("versions are included in the secret's price"),
  "aws:lb/listener:Listener": free("included in the load balancer's hours and LCUs"),
  "aws:lb/listenerRule:ListenerRule": free("included in the load balancer's LCUs (fewer than 10 rules are not evaluated for LCUs)"),
  "aws:lb/targetGroup:TargetGroup": free("included in the load balancer's hours"),
  "aws:rds/parameterGroup:ParameterGroup": free(CONFIG),
  "aws:rds/subnetGroup:SubnetGroup": free(CONFIG),
  "aws:elasticache/parameterGroup:ParameterGroup": free(CONFIG),
  "aws:elasticache/subnetGroup:SubnetGroup": free(CONFIG),
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": free(BUCKET_PART),
  "aws:s3/bucketObjectv2:BucketObjectv2": free("an object: its bytes are counted in the bucket's storage figure"),
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": free(BUCKET_PART),
  "aws:s3/bucketPolicy:BucketPolicy": free(BUCKET_PART),
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": free(BUCKET_PART),
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": free("SSE-S3 (AES256) has no charge"),
  "aws:s3/bucketVersioning:BucketVersioning": free("versioning has no charge of its own (noncurrent versions expire after 30 days: within the bucket's storage figure)"),
  "aws:iam/instanceProfile:InstanceProfile": free(IAM),
  "aws:iam/role:Role": free(IAM),
  "aws:iam/rolePolicy:RolePolicy": free(IAM),
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": free(IAM),
  "aws:ec2/vpc:Vpc": free(NETWORK),
  "aws:ec2/subnet:Subnet": free(NETWORK),
  "aws:ec2/route:Route": free(NETWORK),
  "aws:ec2/routeTable:RouteTable": free(NETWORK),
  "aws:ec2/routeTableAssociation:RouteTableAssociation": free(NETWORK),
  "aws:ec2/networkAcl:NetworkAcl": free(NETWORK),
  "aws:ec2/networkAclRule:NetworkAclRule": free(NETWORK),
  "aws:ec2/securityGroup:SecurityGroup": free(NETWORK),
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": free(NETWORK),
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": free(NETWORK),
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": free(NETWORK),
  "aws:ec2/internetGateway:InternetGateway": free(NETWORK),
  "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": free("peering has no hourly charge: the traffic across it is priced on the replication lines"),
  "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter": free("peering has no hourly charge: the traffic across it is priced on the replication lines"),
  // DigitalOcean
  "digitalocean:index/droplet:Droplet": priced(other.droplet),
  "digitalocean:index/dropletAutoscale:DropletAutoscale": priced(other.dropletAutoscale),
  "digitalocean:index/loadBalancer:LoadBalancer": priced(other.doLoadBalancer),
  "digitalocean:index/databaseCluster:DatabaseCluster": priced(other.databaseCluster),
  "digitalocean:index/databaseReplica:DatabaseReplica": priced(other.databaseReplica),
  "digitalocean:index/spacesBucket:SpacesBucket": priced(other.spacesBucket),
  "digitalocean:index/cdn:Cdn": free("Spaces' CDN is included in the Spaces subscription"),
  "digitalocean:index/vpc:Vpc": free("DigitalOcean VPCs have no charge"),
  "digitalocean:index/firewall:Firewall": free("cloud firewalls have no charge"),
  "digitalocean:index/tag:Tag": free("tags have no charge"),
  "digitalocean:index/sshKey:SshKey": free("SSH keys have no charge"),
  "digitalocean:index/project:Project": free("projects have no charge"),
  "digitalocean:index/projectResources:ProjectResources": free("projects have no charge"),
  "digitalocean:index/spacesBucketObject:SpacesBucketObject": free("an object: within the Spaces subscription's 250 GiB"),
  "digitalocean:index/spacesKey:SpacesKey": free("access keys have no charge"),
  "digitalocean:index/spacesBucketPolicy:SpacesBucketPolicy": free("bucket policies have no charge"),
  "digitalocean:index/spacesBucketCorsConfiguration:SpacesBucketCorsConfiguration": free("bucket settings have no charge"),
  "digitalocean:index/databaseFirewall:DatabaseFirewall": free("configuration of a priced cluster: no charge of its own"),
  "digitalocean:index/databaseMysqlConfig:DatabaseMysqlConfig": free("configuration of a priced cluster: no charge of its own"),
  "digitalocean:index/databaseDb:DatabaseDb": free("a database in a priced cluster: no charge of its own"),
  "digitalocean:index/databaseUser:DatabaseUser": free("a user of a priced cluster: no charge of its own"),
  "digitalocean:index/certificate:Certificate": free("certificates have no charge"),
  // Cloudflare
  "cloudflare:index/loadBalancer:LoadBalancer": priced(other.cloudflareLoadBalancer),
  "cloudflare:index/loadBalancerPool:LoadBalancerPool": free("pools are part of the load-balancing subscription (origins beyond 2 are priced on the load balancer)"),
  "cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor": free("a monitor at the subscription's 60 s interval from one region is included"),
  "cloudflare:index/ruleset:Ruleset": { kind: "unpriced", reason: "WAF and rate-limiting rules are included in the zone's plan up to a per-plan quota that was not vouched for" },
  "cloudflare:index/zoneSetting:ZoneSetting": free("a zone setting: included in the zone's plan (priced on the load balancer line)"),
  "cloudflare:index/hostnameTlsSetting:HostnameTlsSetting": { kind: "unpriced", reason: "per-hostname TLS settings: whether the zone's plan includes them or they need Advanced Certificate Manager was not vouched for" },
  // no cloud resource
  "random:index/randomPassword:RandomPassword": free("generated in the Pulumi state: no cloud resource"),
  "pulumi:providers:aws": free("a provider configuration: no cloud resource"),
  "pulumi:providers:cloudflare": free("a provider configuration: no cloud resource"),
  "pulumi:providers:digitalocean": free("a provider configuration: no cloud resource"),
};

/** Cost items the estimate leaves out on purpose, printed with it. */
export const NOT_ESTIMATED: readonly string[] = [
  "CloudWatch Logs storage, RDS enhanced monitoring and Performance Insights beyond the free 7 days",
  "KMS and Secrets Manager API requests, S3 GET and replication requests, custom EventBridge events",
  "data transfer between AZs (API to database and cache in another AZ, Multi-AZ replication is free)",
  "scheduled scale-outs (api.schedules): the desired figure is the group's desired capacity, the max figure bounds them",
];
