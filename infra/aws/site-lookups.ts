import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SiteTopology, Topology } from "../topology/types";

// The two things an AWS site looks up in its own region: the API instances' AMI (SSM public
// parameter) and the AZ names. A pin (sites.<site>.amiId / availabilityZones) replaces the lookup,
// and a fenced site must have one: its region may be down, and an invoke that fails there fails the
// whole `up` before any step runs (config/pin-rules.ts refuses the config first; this is the
// component-level check, for code paths that build a Topology without the config rules).

/** The AMI of the site's API instances: the pin, else the AL2023 public parameter of its region. */
export function siteAmiId(topology: Topology, site: SiteTopology, parameterName: string, opts: pulumi.InvokeOutputOptions): pulumi.Output<string> {
  const pinned = site.pins?.amiId;
  if (pinned !== undefined) return pulumi.output(pinned);
  refuseFencedLookup(topology, site, "amiId");
  return aws.ssm.getParameterOutput({ name: parameterName, region: site.region }, opts).value;
}

/** The site's AZ names, one per AZ it uses, in subnet order: the pin, else the region's first available ones. */
export function siteAvailabilityZones(topology: Topology, site: SiteTopology, opts: pulumi.InvokeOutputOptions): pulumi.Output<string[]> {
  const pinned = site.pins?.availabilityZones;
  if (pinned !== undefined) {
    if (pinned.length !== site.azCount) throw new Error(`site ${site.key}: ${pinned.length} pinned AZs, topology wants ${site.azCount} (config validation should have refused it)`);
    return pulumi.output([...pinned]);
  }
  refuseFencedLookup(topology, site, "availabilityZones");
  return aws.getAvailabilityZonesOutput({ region: site.region, state: "available" }, opts).names.apply((names) => {
    if (names.length < site.azCount) throw new Error(`site ${site.key}: ${site.region} offers ${names.length} AZs, topology wants ${site.azCount}`);
    return names.slice(0, site.azCount);
  });
}

function refuseFencedLookup(topology: Topology, site: SiteTopology, pin: string): void {
  if (topology.fencedSite === site.key) throw new Error(`site ${site.key} is fenced: sites.${site.key}.${pin} must be pinned, no lookup goes to ${site.region} (config validation should have refused it)`);
}
