import type { PolicyResource } from "@pulumi/policy";
import { asRecord, deploymentMarker, tagValue } from "./common";

// A site's role (active | standby) changes with a failover, so the program keeps it out of the
// regional resources' tags (a failover writes nothing to the failed region). It lives on the
// stack's Deployment component (`sites: { <site>: { role, servesTraffic, database } }`); the
// resource names its site through the stable `site` tag.

/** The role the Deployment gives `site`; without a per-site map, the active site is active and any other is a standby. */
export function siteRole(resources: readonly PolicyResource[], site: string | undefined): string | undefined {
  if (site === undefined) return undefined;
  const marker = resources.find((r) => r.type === "resilient-feed:index:Deployment");
  const declared = asRecord(asRecord(marker?.props.sites)[site]).role;
  if (typeof declared === "string") return declared;
  const d = deploymentMarker(resources);
  if (!d?.activeSite || !d.mode) return undefined;
  return d.mode === "active-active" || site === d.activeSite ? "active" : "standby";
}

/** The role of the site a resource belongs to (its `site` tag). */
export function roleOf(resources: readonly PolicyResource[], r: PolicyResource): string | undefined {
  return siteRole(resources, tagValue(r.props.tags, "site"));
}
