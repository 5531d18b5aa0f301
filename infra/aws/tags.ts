import type { SiteTopology, Topology } from "../topology/types";

/**
 * Tags every AWS resource carries. They are set per resource (not as provider default tags) so
 * that the offline plan and the policy pack see them in the resource inputs. Only what never
 * changes with a failover or a mode switch: a failover must write nothing to the failed region,
 * and a mode switch should not rewrite hundreds of tags. The site's role and the DR mode live on
 * the Deployment component and in the stack outputs.
 */
export function siteTags(topology: Topology, site: SiteTopology, tier: string): Record<string, string> {
  return {
    project: topology.project,
    environment: topology.environment,
    site: site.key,
    tier,
  };
}

/** The same tags in the list shape Auto Scaling groups take. */
export function asgTags(tags: Record<string, string>): { key: string; value: string; propagateAtLaunch: boolean }[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value, propagateAtLaunch: true }));
}

/**
 * Marks a resource whose deletion protection `dr.releaseProtection` lifted on purpose, so a review
 * can tell it from a mistake (the policy pack keeps its own copy; the release-protection test keeps them equal).
 */
export const RELEASED_TAG = { key: "protection", value: "released" } as const;

/** The released tag for a site whose protection is lifted, none otherwise. */
export function releasedTags(site: SiteTopology): Record<string, string> {
  return site.protection.released ? { [RELEASED_TAG.key]: RELEASED_TAG.value } : {};
}
