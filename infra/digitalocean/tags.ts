import type { SiteTopology, Topology } from "../topology/types";

// DigitalOcean tags are plain strings; this project writes them as `key:value` (letters, digits,
// dashes and colons), the way AWS resources carry key/value tags. No role or mode: they change
// with failovers, and a tag change is a cloud call into the site (contract C3).

/** The stack's name for a site's resources: resilient-feed-dev-primary. */
export const siteName = (topology: Topology, site: SiteTopology): string => `${topology.project}-${topology.environment}-${site.key}`;

export function doTags(topology: Topology, site: SiteTopology, tier: string): string[] {
  return [`project:${topology.project}`, `environment:${topology.environment}`, `site:${site.key}`, `tier:${tier}`];
}

/**
 * The tag the pool puts on every API droplet of the site: the load balancer joins droplets by it,
 * and the droplet and database firewalls admit by it (never by address).
 */
export const apiTag = (topology: Topology, site: SiteTopology): string => `api:${siteName(topology, site)}`;
