import type { Cloud } from "../facts/vocabulary";

/**
 * Usable availability zones per AWS region (for new accounts), so `azCount` can be checked before
 * anything is registered. DigitalOcean regions have no AZs: a site there is one zone.
 */
export const AWS_REGION_AZS: Readonly<Record<string, number>> = {
  "us-east-1": 6,
  "us-east-2": 3,
  "us-west-1": 2,
  "us-west-2": 4,
  "ca-central-1": 3,
  "sa-east-1": 3,
  "eu-west-1": 3,
  "eu-west-2": 3,
  "eu-west-3": 3,
  "eu-central-1": 3,
  "eu-north-1": 3,
  "ap-south-1": 3,
  "ap-southeast-1": 3,
  "ap-southeast-2": 3,
  "ap-northeast-1": 3,
  "ap-northeast-2": 4,
  "ap-northeast-3": 3,
};

export const DIGITALOCEAN_REGIONS: readonly string[] = [
  "nyc1", "nyc3", "sfo2", "sfo3", "tor1", "ams3", "lon1", "fra1", "blr1", "sgp1", "syd1",
];

export function regionsOf(cloud: Cloud): readonly string[] {
  return cloud === "aws" ? Object.keys(AWS_REGION_AZS) : DIGITALOCEAN_REGIONS;
}

export function azsInRegion(cloud: Cloud, region: string): number | undefined {
  if (cloud === "digitalocean") return DIGITALOCEAN_REGIONS.includes(region) ? 1 : undefined;
  return AWS_REGION_AZS[region];
}

/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
