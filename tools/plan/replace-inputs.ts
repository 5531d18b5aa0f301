// Inputs that force a replacement (delete + create) instead of an in-place update, per resource
// type the program uses. Mocks cannot tell the two apart, so the diff reads this table. Source:
// the providers' resource docs (Pulumi Registry API docs; the bridged Terraform schemas' ForceNew
// attributes, e.g. terraform-provider-aws aws_route53_record: zone_id and name; type and
// set_identifier change in place as one DELETE + CREATE change batch). Unknown types are listed
// by the diff as "no table entry", never guessed.

export const REPLACE_TABLE_SOURCE = "replace-forcing inputs: provider resource docs (Pulumi Registry / Terraform ForceNew), tools/plan/replace-inputs.ts";

export const REPLACE_INPUTS: Readonly<Record<string, readonly string[]>> = {
  "aws:autoscaling/group:Group": ["name", "namePrefix"],
  "aws:autoscaling/policy:Policy": ["name", "autoscalingGroupName"],
  "aws:autoscaling/schedule:Schedule": ["scheduledActionName", "autoscalingGroupName"],
  "aws:backup/plan:Plan": ["name"],
  "aws:backup/selection:Selection": ["name", "planId", "iamRoleArn", "resources", "selectionTags", "conditions", "notResources"],
  "aws:backup/vault:Vault": ["name", "kmsKeyArn"],
  "aws:cloudfront/distribution:Distribution": [],
  "aws:cloudfront/function:Function": ["name"],
  "aws:cloudfront/originAccessControl:OriginAccessControl": [],
  "aws:cloudwatch/dashboard:Dashboard": ["dashboardName"],
  "aws:cloudwatch/eventRule:EventRule": ["name", "namePrefix", "eventBusName"],
  "aws:cloudwatch/eventTarget:EventTarget": ["rule", "targetId", "eventBusName"],
  "aws:cloudwatch/logGroup:LogGroup": ["name", "namePrefix", "logGroupClass"],
  "aws:cloudwatch/logMetricFilter:LogMetricFilter": ["name", "logGroupName"],
  "aws:cloudwatch/metricAlarm:MetricAlarm": ["name"],
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ["vpcId"],
  "aws:ec2/eip:Eip": ["domain", "address", "publicIpv4Pool", "networkBorderGroup"],
  "aws:ec2/flowLog:FlowLog": ["vpcId", "subnetId", "logDestination", "logDestinationType", "trafficType", "iamRoleArn", "maxAggregationInterval", "logFormat", "destinationOptions"],
  "aws:ec2/internetGateway:InternetGateway": [],
  "aws:ec2/launchTemplate:LaunchTemplate": ["name", "namePrefix"],
  "aws:ec2/natGateway:NatGateway": ["allocationId", "subnetId", "connectivityType", "privateIp"],
  "aws:ec2/networkAcl:NetworkAcl": ["vpcId"],
  "aws:ec2/networkAclRule:NetworkAclRule": ["networkAclId", "ruleNumber", "egress", "protocol", "ruleAction", "cidrBlock", "ipv6CidrBlock", "fromPort", "toPort", "icmpType", "icmpCode"],
  "aws:ec2/route:Route": ["routeTableId", "destinationCidrBlock", "destinationIpv6CidrBlock", "destinationPrefixListId"],
  "aws:ec2/routeTable:RouteTable": ["vpcId"],
  "aws:ec2/routeTableAssociation:RouteTableAssociation": ["subnetId", "gatewayId"],
  "aws:ec2/securityGroup:SecurityGroup": ["name", "namePrefix", "description", "vpcId"],
  "aws:ec2/subnet:Subnet": ["vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId", "outpostArn"],
  "aws:ec2/vpc:Vpc": ["cidrBlock", "ipv4IpamPoolId"],
  "aws:ec2/vpcEndpoint:VpcEndpoint": ["vpcId", "serviceName", "vpcEndpointType", "serviceRegion"],
  "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": ["vpcId", "peerVpcId", "peerOwnerId", "peerRegion"],
  "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter": ["vpcPeeringConnectionId"],
  "aws:elasticache/parameterGroup:ParameterGroup": ["name", "family", "description"],
  "aws:elasticache/replicationGroup:ReplicationGroup": ["replicationGroupId", "subnetGroupName", "atRestEncryptionEnabled", "kmsKeyId", "port", "preferredCacheClusterAzs", "snapshotArns", "snapshotName", "networkType", "dataTieringEnabled"],
  "aws:elasticache/subnetGroup:SubnetGroup": ["name"],
  "aws:iam/instanceProfile:InstanceProfile": ["name", "namePrefix", "path"],
  "aws:iam/role:Role": ["name", "namePrefix", "path"],
  "aws:iam/rolePolicy:RolePolicy": ["name", "namePrefix", "role"],
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["role", "policyArn"],
  "aws:kms/alias:Alias": ["name", "namePrefix"],
  "aws:kms/key:Key": ["customerMasterKeySpec", "keySpec", "keyUsage", "multiRegion", "customKeyStoreId", "xksKeyId"],
  "aws:lb/listener:Listener": ["loadBalancerArn"],
  "aws:lb/listenerRule:ListenerRule": ["listenerArn"],
  "aws:lb/loadBalancer:LoadBalancer": ["name", "namePrefix", "internal", "loadBalancerType", "customerOwnedIpv4Pool"],
  "aws:lb/targetGroup:TargetGroup": ["name", "namePrefix", "port", "protocol", "protocolVersion", "targetType", "vpcId", "ipAddressType"],
  // replicateSourceDb is not here: removing it promotes the replica in place
  "aws:rds/instance:Instance": ["identifier", "identifierPrefix", "engine", "availabilityZone", "characterSetName", "ncharCharacterSetName", "dbName", "kmsKeyId", "storageEncrypted", "username", "timezone", "snapshotIdentifier", "restoreToPointInTime", "s3Import", "customIamInstanceProfile"],
  "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": ["sourceDbInstanceArn", "kmsKeyId", "retentionPeriod", "preSignedUrl"],
  "aws:rds/parameterGroup:ParameterGroup": ["name", "namePrefix", "family", "description"],
  "aws:rds/subnetGroup:SubnetGroup": ["name", "namePrefix"],
  "aws:route53/healthCheck:HealthCheck": ["type", "referenceName", "requestInterval", "measureLatency", "routingControlArn"],
  "aws:route53/record:Record": ["zoneId", "name"],
  "aws:s3/bucket:Bucket": ["bucket", "bucketPrefix", "objectLockEnabled"],
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ["bucket", "expectedBucketOwner"],
  "aws:s3/bucketObjectv2:BucketObjectv2": ["bucket", "key"],
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ["bucket"],
  "aws:s3/bucketPolicy:BucketPolicy": ["bucket"],
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["bucket"],
  "aws:s3/bucketReplicationConfig:BucketReplicationConfig": ["bucket"],
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": ["bucket", "expectedBucketOwner"],
  "aws:s3/bucketVersioning:BucketVersioning": ["bucket", "expectedBucketOwner"],
  "aws:secretsmanager/secret:Secret": ["name", "namePrefix"],
  "aws:secretsmanager/secretVersion:SecretVersion": ["secretId"],
  "aws:sns/topic:Topic": ["name", "namePrefix", "fifoTopic"],
  "aws:sns/topicSubscription:TopicSubscription": ["topic", "protocol", "endpoint"],
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ["securityGroupId"],
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["securityGroupId"],
  "cloudflare:index/hostnameTlsSetting:HostnameTlsSetting": ["zoneId", "settingId", "hostname"],
  "cloudflare:index/loadBalancer:LoadBalancer": ["zoneId"],
  "cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor": ["accountId"],
  "cloudflare:index/loadBalancerPool:LoadBalancerPool": ["accountId"],
  "cloudflare:index/zoneSetting:ZoneSetting": ["zoneId", "settingId"],
  "digitalocean:index/firewall:Firewall": [],
  "digitalocean:index/loadBalancer:LoadBalancer": ["region", "vpcUuid", "size"],
  "digitalocean:index/tag:Tag": ["name"],
  "digitalocean:index/vpc:Vpc": ["region", "ipRange"],
  "random:index/randomPassword:RandomPassword": ["length", "lower", "upper", "numeric", "special", "minLower", "minUpper", "minNumeric", "minSpecial", "overrideSpecial", "keepers"],
};

/** Every AWS resource of @pulumi/aws v7 moves to another region only by replacement. */
const ALWAYS_REPLACE = ["region"];

/** The changed keys that force a replacement, or undefined when the table has no entry for the type. */
export function replacingKeys(type: string, changed: readonly string[]): string[] | undefined {
  const table = REPLACE_INPUTS[type];
  if (table === undefined) return type.startsWith("pulumi:providers:") ? [] : undefined;
  return changed.filter((k) => table.includes(k) || (type.startsWith("aws:") && ALWAYS_REPLACE.includes(k)));
}
