import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { SiteTopology, Topology } from "../topology/types";
import { siteName } from "./tags";

export interface DoProjectArgs {
  readonly topology: Topology;
  readonly site: SiteTopology;
}

/**
 * The DigitalOcean project grouping the site (the control panel's view, and the pool's droplets
 * land in it through their template). Clusters, buckets and the load balancer join it through
 * ProjectResources, so the project exists before the pool needs its id.
 */
export class DoProject extends pulumi.ComponentResource {
  public readonly id: pulumi.Output<string>;

  constructor(name: string, args: DoProjectArgs, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:digitalocean:Project", name, {}, opts);
    const { topology, site } = args;
    const project = new digitalocean.Project(name, {
      name: siteName(topology, site),
      description: `${topology.project} ${topology.environment}: the ${site.key} site (${site.region})`,
      purpose: "Web Application",
      environment: topology.environment === "prod" ? "Production" : "Development",
    }, { parent: this });
    this.id = project.id;
    this.registerOutputs({ id: this.id });
  }

  /** Adds resources (by URN) to the project. */
  add(name: string, urns: pulumi.Input<string>[]): void {
    new digitalocean.ProjectResources(name, { project: this.id, resources: urns }, { parent: this });
  }
}
