import type { SiteTopology, Topology } from "../topology/types";

/**
 * Tags every AWS resource carries. They are set per resource (not as provider default tags) so
 * that the offline plan and the policy pack see them in the resource inputs.
 */
export function siteTags(topology: Topology, site: SiteTopology, tier: string): Record<string, string> {
  return {
    project: topology.project,
    environment: topology.environment,
    site: site.key,
    role: site.role,
    tier,
    "dr-mode": topology.mode,
  };
}

/** The same tags in the list shape Auto Scaling groups take. */
export function asgTags(tags: Record<string, string>): { key: string; value: string; propagateAtLaunch: boolean }[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value, propagateAtLaunch: true }));
}
