import * as pulumi from "@pulumi/pulumi";
import { NAMESPACE } from "../config/errors";
import type { Topology } from "../topology/types";
import type { AwsSite } from "./site";

// What to pin before a failover: a site that may be fenced one day (an AWS site of a two-site
// stack) and still looks its AMI or AZ names up gets a warning with the values it runs now, as
// the commands that pin them. The run that fences it must not call its region (config/pin-rules.ts
// refuses that config), and the values must be the deployed ones, so the fenced launch template
// and subnets stay exactly as they are.

export function pinHints(topology: Topology, sites: ReadonlyMap<string, AwsSite>): pulumi.Output<string[]> {
  if (topology.sites.length < 2) return pulumi.output([]);
  const hints = topology.sites.map((site) => {
    const aws = sites.get(site.key);
    if (!aws || site.key === topology.fencedSite) return pulumi.output<string | undefined>(undefined);
    const lists = aws.security.prefixListIds;
    const missing = {
      amiId: site.pins?.amiId === undefined ? aws.api?.fleet.amiId : undefined,
      availabilityZones: site.pins?.availabilityZones === undefined ? aws.network.availabilityZones : undefined,
      // behind CloudFront: the prefix lists the load balancer admits (config/pin-rules.ts)
      cloudfront: site.pins?.prefixLists?.cloudfront === undefined ? lists.cloudfront : undefined,
      route53HealthChecks: site.pins?.prefixLists?.route53HealthChecks === undefined ? lists.route53HealthChecks : undefined,
    };
    return pulumi.output(missing).apply(({ amiId, availabilityZones, cloudfront, route53HealthChecks }) => {
      const sets = [
        ...(amiId !== undefined ? [`pulumi config set --path '${NAMESPACE}:sites.${site.key}.amiId' ${amiId}`] : []),
        ...(availabilityZones ?? []).map((az, i) => `pulumi config set --path '${NAMESPACE}:sites.${site.key}.availabilityZones[${i}]' ${az}`),
        ...Object.entries({ cloudfront, route53HealthChecks }).filter(([, id]) => id !== undefined).map(([list, id]) => `pulumi config set --path '${NAMESPACE}:sites.${site.key}.prefixLists.${list}' ${id}`),
      ];
      if (sets.length === 0) return undefined;
      return `sites.${site.key} is not pinned: a failover that fences it needs its AMI, AZ names (and behind CloudFront its prefix lists) without a call to ${site.region}; pin the values it runs now: ${sets.join("; ")}`;
    });
  });
  return pulumi.all(hints).apply((h) => h.filter((x): x is string => x !== undefined));
}
