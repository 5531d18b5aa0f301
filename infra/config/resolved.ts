import type { Cloud } from "../facts/vocabulary";
import type { ProjectConfig } from "./schema";

// The parsed config's type, apart from the parser: the rules (rules.ts, *-rules.ts) that parse.ts
// runs, and the topology, import it from here, so no rule module imports parse.ts back (a cycle).

/** Config with every default filled in: what the Topology is built from. */
export interface ResolvedConfig extends Omit<ProjectConfig, "sites" | "network" | "api" | "database" | "cache" | "edge"> {
  readonly sites: {
    readonly primary: ResolvedSite;
    readonly secondary?: ResolvedSite;
  };
  readonly network: { readonly natGateways: "per-az" | "single"; readonly flowLogRetentionDays: number };
  readonly api: ProjectConfig["api"] & { instanceType: string; minSize: number; maxSize: number; desiredSize: number };
  readonly database: Required<ProjectConfig["database"]>;
  readonly cache: Required<ProjectConfig["cache"]>;
  readonly edge: ProjectConfig["edge"] & { healthCheckIntervalSeconds: 10 | 30 };
}

export interface ResolvedSite {
  readonly cloud: Cloud;
  readonly region: string;
  readonly cidr: string;
  readonly azCount: number;
  readonly certificateArn?: string;
  readonly certificateDomains?: readonly string[];
  /** pinned AMI and AZ names (aws): no lookup in the site's region (pin-rules.ts) */
  readonly amiId?: string;
  readonly availabilityZones?: readonly string[];
  /** pinned AWS-managed prefix list ids (aws, behind CloudFront): no lookup in the site's region */
  readonly prefixLists?: { readonly cloudfront?: string; readonly route53HealthChecks?: string };
  /** pinned MySQL cluster CA (digitalocean): no getDatabaseCa in the site's region (digitalocean-rules.ts) */
  readonly databaseCaCertificate?: string;
}
