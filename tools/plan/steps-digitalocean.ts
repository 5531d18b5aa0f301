import { CF_LB, CF_POOL, inputStrings as strings } from "./steps-references";
import { walkOrders, type CloudState, type RefusedStep, type StepGraph, type WalkResult } from "./steps";
import type { PlannedResource } from "./types";

// The order DigitalOcean (and a Cloudflare edge in front of it) imposes: an object that names
// another must not exist while the named one does not, neither before it is created nor after it
// is deleted. Each rule, with its source:
// - a VPC's members (clusters, replicas, droplets, autoscale pools, load balancers) name it, and
//   DigitalOcean refuses to delete a VPC that still has members (API reference, "Delete a VPC":
//   403 Forbidden), so the VPC is deleted last and created first;
// - a cluster's database, user, MySQL config, read replica and firewall are sub-resources of the
//   cluster (API paths /v2/databases/{cluster uuid}/dbs, /users, /config, /replicas, /firewall):
//   none exists before its cluster or after it; a replica's firewall is keyed by the replica's uuid;
// - a database firewall's `tag` and `droplet` rules, a load balancer's `dropletTag`, a droplet
//   firewall's `tags` and `sourceLoadBalancerUids`, an autoscale pool's template tags and project,
//   a project's resource assignments, a Spaces key's bucket grants and a bucket object's bucket name
//   objects the program creates (that DigitalOcean refuses a rule or `dropletTag` naming a tag that
//   does not exist is unverified; the check treats every such name as a reference);
// - a Cloudflare pool whose origin is a DigitalOcean load balancer (the pool depends on it: its
//   address is the balancer's IP) must not be named by the Cloudflare load balancer while that
//   balancer does not exist: the edge would route to an address that answers nothing.
// References are checked pair by pair: a pair's rule reads only its two objects, so walking the
// steps of those two in every allowed order (the whole graph's order between them) is exact, and
// the walk stays small however many objects a site has.

const DO = (t: string) => `digitalocean:index/${t}`;
const VPC = DO("vpc:Vpc");
const TAG = DO("tag:Tag");
const CLUSTER = DO("databaseCluster:DatabaseCluster");
const REPLICA = DO("databaseReplica:DatabaseReplica");
const DO_LB = DO("loadBalancer:LoadBalancer");
const DROPLET = DO("droplet:Droplet");
const PROJECT = DO("project:Project");
const BUCKET = DO("spacesBucket:SpacesBucket");

/** A type whose objects name objects of `to` in their inputs, in DigitalOcean's terms. */
const NAMES: readonly { readonly from: string; readonly to: readonly string[]; readonly what: string }[] = [
  { from: CLUSTER, to: [VPC], what: "database cluster is a member of VPC" },
  { from: REPLICA, to: [CLUSTER, VPC], what: "read replica names" },
  { from: DO("databaseDb:DatabaseDb"), to: [CLUSTER], what: "database lives in cluster" },
  { from: DO("databaseUser:DatabaseUser"), to: [CLUSTER], what: "database user lives in cluster" },
  { from: DO("databaseMysqlConfig:DatabaseMysqlConfig"), to: [CLUSTER], what: "MySQL config belongs to cluster" },
  { from: DO("databaseFirewall:DatabaseFirewall"), to: [CLUSTER, REPLICA, TAG, DROPLET], what: "database firewall names" },
  { from: DO_LB, to: [VPC, TAG], what: "load balancer names" },
  { from: DROPLET, to: [VPC, TAG], what: "droplet names" },
  { from: DO("dropletAutoscale:DropletAutoscale"), to: [VPC, TAG, PROJECT], what: "autoscale pool's template names" },
  { from: DO("firewall:Firewall"), to: [TAG, DO_LB, DROPLET], what: "droplet firewall names" },
  { from: DO("projectResources:ProjectResources"), to: [PROJECT], what: "project assignment names" },
  { from: DO("spacesKey:SpacesKey"), to: [BUCKET], what: "Spaces key grants on bucket" },
  { from: DO("spacesBucketObject:SpacesBucketObject"), to: [BUCKET], what: "object is stored in bucket" },
];

/**
 * The strings other objects name an object by: its id (under the plan's mocks `<name>-id`), a
 * tag's or a bucket's name, a replica's uuid (mocks: `<name>-uuid`, as a replica's firewall names it).
 */
export function handlesOf(r: Pick<PlannedResource, "type" | "name" | "inputs">): string[] {
  const out = [`${r.name}-id`];
  if (r.type === TAG || r.type === BUCKET) out.push(String(r.inputs.name ?? r.name));
  if (r.type === REPLICA) out.push(`${r.name}-uuid`);
  return out;
}

interface Pair {
  readonly from: string;
  readonly to: string;
  readonly problem: string;
  /** a Cloudflare pool and its origin: refused only while a Cloudflare load balancer names the pool */
  readonly edge: boolean;
  /** true when the `from` object names `to` in this version of its inputs */
  readonly names: (r: PlannedResource) => boolean;
}

export function digitaloceanOrder(g: StepGraph): WalkResult {
  const objects = [...g.before.resources, ...g.after.resources].filter((r) => r.custom);
  const byHandle = new Map<string, PlannedResource[]>();
  for (const r of objects) for (const h of handlesOf(r)) byHandle.set(h, [...(byHandle.get(h) ?? []).filter((x) => x.urn !== r.urn), r]);
  const pairs = new Map<string, Pair>();
  const add = (p: Pair) => pairs.set(`${p.from}|${p.to}`, pairs.get(`${p.from}|${p.to}`) ?? p);
  for (const r of objects) {
    for (const rule of NAMES.filter((n) => n.from === r.type)) {
      for (const s of strings(r.inputs)) {
        for (const target of (byHandle.get(s) ?? []).filter((t) => rule.to.includes(t.type))) {
          const handles = new Set(handlesOf(target));
          add({ from: r.urn, to: target.urn, edge: false, problem: `${rule.what} ${target.name}, which does not exist`, names: (x) => strings(x.inputs).some((v) => handles.has(v)) });
        }
      }
    }
    // a Cloudflare pool's DigitalOcean origin: named through the pool's dependency on the balancer
    if (r.type === CF_POOL) {
      for (const dep of r.dependencies ?? []) {
        const lb = objects.find((o) => o.urn === dep && o.type === DO_LB);
        if (lb) add({ from: r.urn, to: lb.urn, edge: true, problem: `Cloudflare pool ${r.name} sends traffic to DigitalOcean load balancer ${lb.name}, which does not exist`, names: (x) => (x.dependencies ?? []).includes(lb.urn) });
      }
    }
  }
  const changed = new Set(g.steps.map((s) => s.urn));
  const refused: RefusedStep[] = [];
  let states = 0;
  const skipped: string[] = [];
  for (const p of pairs.values()) {
    if (!changed.has(p.from) && !changed.has(p.to)) continue;
    const walk = walkOrders(g, (s) => s.urn === p.from || s.urn === p.to || (p.edge && s.type === CF_LB), (state) => pairProblems(state, p));
    refused.push(...walk.refused);
    states += walk.states;
    if (walk.skipped) skipped.push(walk.skipped);
  }
  return { refused, states, ...(skipped.length > 0 ? { skipped: skipped.join("; ") } : {}) };
}

function pairProblems(state: CloudState, p: Pair): string[] {
  const live = [...state.values()].map((o) => o.resource);
  if (live.some((r) => r.urn === p.to)) return [];
  const naming = live.filter((r) => r.urn === p.from && p.names(r));
  if (naming.length === 0) return [];
  if (p.edge) {
    // the pool matters once a live Cloudflare load balancer names it
    const poolIds = new Set(naming.map((r) => `${r.name}-id`));
    if (!live.some((r) => r.type === CF_LB && strings(r.inputs).some((v) => poolIds.has(v)))) return [];
  }
  return [p.problem];
}

