import { strict as assert } from "node:assert";
import { ConfigError } from "../../infra/config/errors";
import { parseProjectConfig } from "../../infra/config/parse";
import { projectConfigFrom } from "../../infra/config/load";
import { readStackConfig } from "../../infra/config/stack-file";

/** The shipped stack file's project config, decoded (a fresh copy each call). */
export function stackRaw(stack: "dev" | "prod"): Record<string, any> {
  return projectConfigFrom(readStackConfig(stack)) as Record<string, any>;
}

/** prod as shipped with `edit` applied to a deep copy. */
export function prodWith(edit: (raw: Record<string, any>) => void): Record<string, any> {
  const raw = stackRaw("prod");
  edit(raw);
  return raw;
}

/** dev moved onto AWS: the variant a user gets with sites.primary.cloud: aws. */
export function devOnAws(): Record<string, any> {
  const raw = stackRaw("dev");
  raw.sites.primary = { cloud: "aws", region: "ap-southeast-1", cidr: "10.30.0.0/16" };
  raw.edge = { dns: "route53", domain: "dev.feed.example.com" };
  return raw;
}

/** A recovery point AWS Backup copied into the prod secondary's region (Tokyo). */
export const TOKYO_RECOVERY_POINT = "arn:aws:rds:ap-northeast-1:123456789012:snapshot:awsbackup:copyjob-0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";

/** The dr section of a state; backup-restore failed over restores from TOKYO_RECOVERY_POINT. */
export function drState(mode: string, activeSite: string): Record<string, string> {
  return mode === "backup-restore" && activeSite === "secondary" ? { mode, activeSite, restoreFromSnapshot: TOKYO_RECOVERY_POINT } : { mode, activeSite };
}

/** Parses `raw` and returns the config error's message, failing if parsing succeeds. */
export function rejection(raw: Record<string, unknown>): string {
  try {
    parseProjectConfig(raw);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e.message;
  }
  return assert.fail("config was accepted");
}
