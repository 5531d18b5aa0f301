// The price table the cost estimate reads (`npm run plan -- --cost`): public on-demand list prices
// in USD, one row per item and region, each with its unit and the page it comes from.
//
// There is no internet where this table was written: PRICE_TABLE_DATE is the date its author
// vouches for each price from the public price lists, not a live lookup. A row whose price was not
// known for its own region carries the price of another region and says so (`carriedFrom`).
// Free tiers, savings plans, reserved capacity and taxes are left out on purpose.

/** The date the author vouches for every row of PRICES. */
export const PRICE_TABLE_DATE = "2025-06-01";

export interface PriceRow {
  /** what is priced, e.g. "ec2:m7g.large" or "nat:gb" */
  readonly item: string;
  /** an AWS region, a DigitalOcean region slug, or "any" when the provider has one price everywhere */
  readonly region: string;
  /** the unit the price is per: hour, GB-month, GB, month, 1M requests, ... */
  readonly unit: string;
  readonly usd: number;
  /** the public page the price is read from */
  readonly source: string;
  /** set when the price is another region's, carried over: that region */
  readonly carriedFrom?: string;
}

const SEOUL = "ap-northeast-2";
const TOKYO = "ap-northeast-1";
const VIRGINIA = "us-east-1";

const EC2 = "https://aws.amazon.com/ec2/pricing/on-demand/";
const EBS = "https://aws.amazon.com/ebs/pricing/";
const VPC = "https://aws.amazon.com/vpc/pricing/";
const ELB = "https://aws.amazon.com/elasticloadbalancing/pricing/";
const RDS = "https://aws.amazon.com/rds/mysql/pricing/";
const CACHE = "https://aws.amazon.com/elasticache/pricing/";
const S3 = "https://aws.amazon.com/s3/pricing/";
const CLOUDFRONT = "https://aws.amazon.com/cloudfront/pricing/";
const ROUTE53 = "https://aws.amazon.com/route53/pricing/";
const BACKUP = "https://aws.amazon.com/backup/pricing/";
const KMS = "https://aws.amazon.com/kms/pricing/";
const SECRETS = "https://aws.amazon.com/secrets-manager/pricing/";
const CLOUDWATCH = "https://aws.amazon.com/cloudwatch/pricing/";
const WAF = "https://aws.amazon.com/waf/pricing/";
const DO_DROPLETS = "https://www.digitalocean.com/pricing/droplets";
const DO_LB = "https://www.digitalocean.com/pricing/load-balancer";
const DO_DB = "https://www.digitalocean.com/pricing/managed-databases";
const DO_SPACES = "https://www.digitalocean.com/pricing/spaces-object-storage";
const CF_LB = "https://www.cloudflare.com/application-services/products/load-balancing/";
const CF_PLANS = "https://www.cloudflare.com/plans/";

type Regional = readonly [region: string, usd: number, carriedFrom?: string];

function rows(item: string, unit: string, source: string, prices: readonly Regional[]): PriceRow[] {
  return prices.map(([region, usd, carriedFrom]) => ({ item, region, unit, usd, source, ...(carriedFrom ? { carriedFrom } : {}) }));
}

export const PRICES: readonly PriceRow[] = [
  // EC2 (Linux, on-demand) and the API instances' root volumes
  ...rows("ec2:m7g.large", "hour", EC2, [[SEOUL, 0.0998], [TOKYO, 0.1049]]),
  ...rows("ec2:t4g.small", "hour", EC2, [[SEOUL, 0.0208], [TOKYO, 0.0216]]),
  ...rows("ebs:gp3", "GB-month", EBS, [[SEOUL, 0.0912], [TOKYO, 0.096]]),
  ...rows("cloudwatch:detailed-monitoring", "instance-month", CLOUDWATCH, [[SEOUL, 2.1, VIRGINIA], [TOKYO, 2.1, VIRGINIA]]),
  // VPC: NAT gateways and public IPv4 addresses (NAT Elastic IPs, ALB nodes)
  ...rows("nat:hour", "hour", VPC, [[SEOUL, 0.059], [TOKYO, 0.062]]),
  ...rows("nat:gb", "GB processed", VPC, [[SEOUL, 0.059], [TOKYO, 0.062]]),
  ...rows("ipv4:hour", "hour", VPC, [[SEOUL, 0.005], [TOKYO, 0.005]]),
  // data transfer out of a region to another AWS region (replication, backup copies)
  ...rows("transfer:inter-region", "GB", EC2, [[SEOUL, 0.08], [TOKYO, 0.09]]),
  // data transfer out to the internet (first 10 TB tier)
  ...rows("transfer:internet-out", "GB", EC2, [[SEOUL, 0.126], [TOKYO, 0.114]]),
  // Application Load Balancer
  ...rows("alb:hour", "hour", ELB, [[SEOUL, 0.0225], [TOKYO, 0.0243]]),
  ...rows("alb:lcu", "LCU-hour", ELB, [[SEOUL, 0.008], [TOKYO, 0.0088]]),
  // RDS for MySQL: Single-AZ instance-hours (Multi-AZ is two instances), gp3 storage, backups
  ...rows("rds:mysql:db.r6g.large", "instance-hour", RDS, [[SEOUL, 0.26], [TOKYO, 0.271]]),
  ...rows("rds:mysql:db.t4g.micro", "instance-hour", RDS, [[SEOUL, 0.025], [TOKYO, 0.026]]),
  ...rows("rds:gp3", "GB-month", RDS, [[SEOUL, 0.131], [TOKYO, 0.138]]),
  ...rows("rds:backup", "GB-month", RDS, [[SEOUL, 0.095, VIRGINIA], [TOKYO, 0.095, VIRGINIA]]),
  // ElastiCache (Redis OSS) on-demand nodes
  ...rows("elasticache:cache.r7g.large", "node-hour", CACHE, [[SEOUL, 0.265], [TOKYO, 0.276]]),
  ...rows("elasticache:cache.t4g.micro", "node-hour", CACHE, [[SEOUL, 0.022], [TOKYO, 0.023]]),
  // S3 Standard
  ...rows("s3:standard", "GB-month", S3, [[SEOUL, 0.025], [TOKYO, 0.025]]),
  ...rows("s3:put", "1,000 requests", S3, [[SEOUL, 0.0045], [TOKYO, 0.0047]]),
  // CloudFront (first 10 TB tier), per viewer location
  ...rows("cloudfront:out:japan", "GB", CLOUDFRONT, [["global", 0.114]]),
  ...rows("cloudfront:out:korea", "GB", CLOUDFRONT, [["global", 0.12]]),
  ...rows("cloudfront:https", "10,000 requests", CLOUDFRONT, [["global", 0.012]]),
  ...rows("cloudfront:function", "1M invocations", CLOUDFRONT, [["global", 0.1]]),
  // Route 53
  ...rows("route53:zone", "zone-month", ROUTE53, [["global", 0.5]]),
  ...rows("route53:query:standard", "1M queries", ROUTE53, [["global", 0.4]]),
  ...rows("route53:query:latency", "1M queries", ROUTE53, [["global", 0.6]]),
  ...rows("route53:query:geo", "1M queries", ROUTE53, [["global", 0.7]]),
  ...rows("route53:health-check:aws", "health-check-month", ROUTE53, [["global", 0.5]]),
  ...rows("route53:health-check:other", "health-check-month", ROUTE53, [["global", 0.75]]),
  ...rows("route53:health-check-feature:aws", "feature-month", ROUTE53, [["global", 1]]),
  ...rows("route53:health-check-feature:other", "feature-month", ROUTE53, [["global", 2]]),
  // AWS Backup: RDS snapshot storage in a vault (the copy in the other region is stored there too)
  ...rows("backup:rds", "GB-month", BACKUP, [[SEOUL, 0.095, VIRGINIA], [TOKYO, 0.095, VIRGINIA]]),
  // KMS, Secrets Manager
  ...rows("kms:key", "key-month", KMS, [[SEOUL, 1], [TOKYO, 1], [VIRGINIA, 1]]),
  ...rows("secretsmanager:secret", "secret-month", SECRETS, [[SEOUL, 0.4], [TOKYO, 0.4]]),
  ...rows("secretsmanager:replica", "replica-month", SECRETS, [[SEOUL, 0.4], [TOKYO, 0.4]]),
  // CloudWatch
  ...rows("cloudwatch:alarm", "metric-alarm-month", CLOUDWATCH, [[SEOUL, 0.1], [TOKYO, 0.1], [VIRGINIA, 0.1]]),
  ...rows("cloudwatch:dashboard", "dashboard-month", CLOUDWATCH, [[SEOUL, 3], [TOKYO, 3]]),
  ...rows("cloudwatch:metric", "metric-month", CLOUDWATCH, [[SEOUL, 0.3, VIRGINIA], [TOKYO, 0.3, VIRGINIA]]),
  ...rows("cloudwatch:logs-ingest", "GB", CLOUDWATCH, [[SEOUL, 0.76, TOKYO], [TOKYO, 0.76]]),
  ...rows("cloudwatch:vended-logs-ingest", "GB", CLOUDWATCH, [[SEOUL, 0.5, VIRGINIA], [TOKYO, 0.5, VIRGINIA]]),
  // AWS WAF (regional web ACLs on load balancers; CLOUDFRONT scope lives in us-east-1)
  ...rows("waf:web-acl", "web-ACL-month", WAF, [[SEOUL, 5], [TOKYO, 5], [VIRGINIA, 5]]),
  ...rows("waf:rule", "rule-month", WAF, [[SEOUL, 1], [TOKYO, 1], [VIRGINIA, 1]]),
  ...rows("waf:requests", "1M requests", WAF, [[SEOUL, 0.6], [TOKYO, 0.6], [VIRGINIA, 0.6]]),
  // DigitalOcean: one price in every region
  ...rows("do:droplet:s-1vcpu-1gb", "month", DO_DROPLETS, [["any", 6]]),
  ...rows("do:droplet:s-1vcpu-2gb", "month", DO_DROPLETS, [["any", 12]]),
  ...rows("do:droplet:s-2vcpu-2gb", "month", DO_DROPLETS, [["any", 18]]),
  ...rows("do:droplet:s-2vcpu-4gb", "month", DO_DROPLETS, [["any", 24]]),
  ...rows("do:lb-node", "node-month", DO_LB, [["any", 12]]),
  ...rows("do:mysql:db-s-1vcpu-1gb", "node-month", DO_DB, [["any", 15]]),
  ...rows("do:mysql:db-s-1vcpu-2gb", "node-month", DO_DB, [["any", 30]]),
  ...rows("do:valkey:db-s-1vcpu-1gb", "node-month", DO_DB, [["any", 15]]),
  ...rows("do:valkey:db-s-1vcpu-2gb", "node-month", DO_DB, [["any", 30]]),
  ...rows("do:spaces", "subscription-month (250 GiB, 1 TiB out, CDN included)", DO_SPACES, [["any", 5]]),
  // Cloudflare
  ...rows("cloudflare:lb", "month (2 origins, 60 s checks, 1 check region)", CF_LB, [["any", 5]]),
  ...rows("cloudflare:lb-origin", "origin-month beyond 2", CF_LB, [["any", 5]]),
  ...rows("cloudflare:plan:pro", "zone-month (billed annually)", CF_PLANS, [["any", 20]]),
  ...rows("cloudflare:plan:business", "zone-month (billed annually)", CF_PLANS, [["any", 200]]),
  ...rows("cloudflare:plan:free", "zone-month", CF_PLANS, [["any", 0]]),
];

/** The row for an item in a region (a region-less "global"/"any" row matches every region), if any. */
export function findPrice(item: string, region: string | undefined): PriceRow | undefined {
  const matches = PRICES.filter((r) => r.item === item);
  return matches.find((r) => r.region === region) ?? matches.find((r) => r.region === "global" || r.region === "any");
}
