import { cloudAcceptanceRules } from "./acceptance";
import type { Rule } from "./common";
import { cdnRules } from "./cdn";
import { computeRules } from "./compute";
import { costRules } from "./cost";
import { digitaloceanRules } from "./digitalocean";
import { dnsRules } from "./dns";
import { drRules } from "./dr";
import { networkRules } from "./network";
import { rdsRules } from "./rds";
import { rdsReplicationRules } from "./rds-replication";
import { securityGroupRules } from "./security-groups";
import { storageRules } from "./storage";

/** Every rule of the pack, in review order. policies/index.ts and the tests both import this. */
export const allPolicies: Rule[] = [
  ...rdsRules,
  ...rdsReplicationRules,
  ...securityGroupRules,
  ...computeRules,
  ...storageRules,
  ...cdnRules,
  ...networkRules,
  ...digitaloceanRules,
  ...dnsRules,
  ...drRules,
  ...cloudAcceptanceRules,
  ...costRules,
];

export const PACK_NAME = "resilient-feed";
