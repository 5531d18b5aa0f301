import type * as pulumi from "@pulumi/pulumi";
import type { Topology } from "../topology/types";
import { CloudflareEdge } from "./cloudflare";
import type { SiteOrigin } from "./origins";
import { type Route53EdgeArgs, Route53Edge } from "./route53";

export type { SiteOrigin } from "./origins";

/** The edge the Topology asks for (edge.dns), routing to the given site load balancers. */
export function realizeEdge(topology: Topology, origins: readonly SiteOrigin[], opts?: pulumi.ComponentResourceOptions, front?: Route53EdgeArgs["front"]): Route53Edge | CloudflareEdge {
  return topology.edge.dns === "route53"
    ? new Route53Edge("edge", { topology, origins, front }, opts)
    : new CloudflareEdge("edge", { topology, origins }, opts);
}
