import type { SubnetPlan, SubnetTier } from "../topology/types";

// NACL rules per subnet tier, as pure data. NACLs are stateless: every flow needs its request
// direction and its return (ephemeral 1024-65535) direction allowed explicitly.

export const ANYWHERE = "0.0.0.0/0";
export const EPHEMERAL: readonly [number, number] = [1024, 65535];
export const MYSQL_PORT = 3306;
export const REDIS_PORT = 6379;

export interface NaclRule {
  readonly ruleNumber: number;
  readonly egress: boolean;
  readonly cidrBlock: string;
  readonly fromPort: number;
  readonly toPort: number;
  /** why the rule exists (NACL rules have no description field; kept for the plan and tests) */
  readonly purpose: string;
}

type Flow = { egress: boolean; cidrs: readonly string[]; ports: readonly [number, number]; purpose: string };

function number(flows: Flow[]): NaclRule[] {
  const rules: NaclRule[] = [];
  let ingress = 100;
  let egress = 100;
  for (const f of flows) {
    for (const cidr of f.cidrs) {
      const ruleNumber = f.egress ? egress : ingress;
      if (f.egress) egress += 10;
      else ingress += 10;
      rules.push({ ruleNumber, egress: f.egress, cidrBlock: cidr, fromPort: f.ports[0], toPort: f.ports[1], purpose: f.purpose });
    }
  }
  return rules;
}

const port = (p: number): readonly [number, number] => [p, p];

/**
 * @param peer the peered site's subnet plan (see Topology.peering): its apps reach this site's
 *   MySQL and this site's apps reach its MySQL, over the peering; nothing else crosses.
 */
export function naclRules(tier: SubnetTier, subnets: SubnetPlan, appPort: number, peer?: SubnetPlan): NaclRule[] {
  const pub = subnets.public;
  const app = subnets["private-app"];
  const data = subnets["private-data"];
  const peerApp = peer?.["private-app"] ?? [];
  const peerData = peer?.["private-data"] ?? [];
  switch (tier) {
    case "public":
      return number([
        { egress: false, cidrs: [ANYWHERE], ports: port(80), purpose: "HTTP from the internet to the load balancer" },
        { egress: false, cidrs: [ANYWHERE], ports: port(443), purpose: "HTTPS from the internet to the load balancer; HTTPS from the app tier to the NAT" },
        { egress: false, cidrs: [ANYWHERE], ports: EPHEMERAL, purpose: "return traffic: internet replies to the NAT, app replies to the load balancer" },
        { egress: true, cidrs: app, ports: port(appPort), purpose: "load balancer to the app port" },
        { egress: true, cidrs: [ANYWHERE], ports: port(443), purpose: "NAT forwards the app tier's HTTPS to the internet" },
        { egress: true, cidrs: [ANYWHERE], ports: EPHEMERAL, purpose: "return traffic: replies to internet clients and to app instances behind the NAT" },
      ]);
    case "private-app":
      return number([
        { egress: false, cidrs: pub, ports: port(appPort), purpose: "app port from the load balancer subnets" },
        { egress: false, cidrs: [ANYWHERE], ports: EPHEMERAL, purpose: "return traffic: HTTPS replies through the NAT / S3 endpoint, replies from the data tier" },
        { egress: true, cidrs: [ANYWHERE], ports: port(443), purpose: "HTTPS out through the NAT (packages, SSM, app bundle)" },
        { egress: true, cidrs: data, ports: port(MYSQL_PORT), purpose: "MySQL in the data tier" },
        { egress: true, cidrs: data, ports: port(REDIS_PORT), purpose: "Redis in the data tier" },
        { egress: true, cidrs: pub, ports: EPHEMERAL, purpose: "return traffic to the load balancer" },
        { egress: true, cidrs: peerData, ports: port(MYSQL_PORT), purpose: "MySQL in the peered site's data tier (the writer in the other region)" },
      ]);
    case "private-data":
      return number([
        { egress: false, cidrs: app, ports: port(MYSQL_PORT), purpose: "MySQL from the app tier" },
        { egress: false, cidrs: app, ports: port(REDIS_PORT), purpose: "Redis from the app tier" },
        { egress: true, cidrs: app, ports: EPHEMERAL, purpose: "return traffic to the app tier" },
        { egress: false, cidrs: peerApp, ports: port(MYSQL_PORT), purpose: "MySQL from the peered site's app tier" },
        { egress: true, cidrs: peerApp, ports: EPHEMERAL, purpose: "return traffic to the peered site's app tier" },
      ]);
  }
}
