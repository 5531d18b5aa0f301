import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { asArray, asRecord, isWorld, label, refersTo, requireProdStack } from "./common";
import { AWS, DO } from "./types";

// Networks: VPC flow logs, a NAT gateway per AZ in prod, DigitalOcean firewalls closed to the world.

export const awsVpcFlowLogs: StackValidationPolicy = {
  name: "aws-vpc-flow-logs",
  description: "Every VPC has a flow log.",
  enforcementLevel: "mandatory",
  severity: "medium",
  tags: ["security", "network"],
  validateStack: (args, reportViolation) => {
    const vpcs = args.resources.filter((r) => r.type === AWS.vpc);
    if (vpcs.length === 0) args.notApplicable("no AWS VPCs in the stack");
    const logs = args.resources.filter((r) => r.type === AWS.flowLog);
    for (const vpc of vpcs) {
      if (!logs.some((l) => refersTo(l, "vpcId", vpc))) {
        reportViolation(
          `${label(vpc)} has no flow log, so rejected and accepted traffic cannot be investigated after an incident. ` +
          `Add aws.ec2.FlowLog with vpcId: ${vpc.name}.id, trafficType: "ALL" and a CloudWatch Logs (or S3) destination.`,
          vpc.urn,
        );
      }
    }
  },
};

/** The VPC a subnet belongs to (by its vpcId), if it is in the stack. */
function vpcOf(subnet: PolicyResource, vpcs: readonly PolicyResource[]): PolicyResource | undefined {
  return vpcs.find((v) => refersTo(subnet, "vpcId", v));
}

function azOf(subnet: PolicyResource): string | undefined {
  const az = subnet.props.availabilityZone ?? subnet.props.availabilityZoneId;
  return typeof az === "string" ? az : undefined;
}

export const awsNatPerAz: StackValidationPolicy = {
  name: "aws-nat-per-az",
  description: "In prod, every AZ a VPC uses has its own NAT gateway (no cross-AZ dependency for egress).",
  enforcementLevel: "mandatory",
  severity: "medium",
  tags: ["reliability", "prod"],
  validateStack: (args, reportViolation) => {
    requireProdStack(args, "aws-nat-per-az");
    const vpcs = args.resources.filter((r) => r.type === AWS.vpc);
    const subnets = args.resources.filter((r) => r.type === AWS.subnet);
    const nats = args.resources.filter((r) => r.type === AWS.natGateway);
    if (nats.length === 0) args.notApplicable("no NAT gateways in the stack");
    for (const vpc of vpcs) {
      const own = subnets.filter((s) => vpcOf(s, vpcs)?.urn === vpc.urn);
      const zones = new Set(own.map(azOf).filter((z): z is string => z !== undefined));
      const natZones = new Set<string>();
      let vpcNats = 0;
      for (const nat of nats) {
        const subnet = own.find((s) => refersTo(nat, "subnetId", s));
        if (!subnet) continue;
        vpcNats++;
        const az = azOf(subnet);
        if (az) natZones.add(az);
      }
      if (vpcNats === 0) continue; // this VPC needs no NAT (endpoints only, or egress elsewhere)
      const missing = [...zones].filter((z) => !natZones.has(z)).sort();
      if (missing.length > 0) {
        reportViolation(
          `${label(vpc)} spans ${zones.size} AZs but has NAT gateways in ${natZones.size} (${[...natZones].sort().join(", ") || "none"}); private subnets in ${missing.join(", ")} ` +
          `lose egress when another AZ fails. Put one NAT gateway in the public subnet of every AZ (config resilient-feed:network.natGateways: per-az) and route each private subnet to its own AZ's gateway.`,
          vpc.urn,
        );
      }
    }
  },
};

export const doFirewallNotOpen: ResourceValidationPolicy = {
  name: "digitalocean-firewall-not-open",
  description: "DigitalOcean droplet firewalls admit no inbound traffic from 0.0.0.0/0 or ::/0; the load balancer is the public entry.",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["security", "network"],
  validateResource: (args, reportViolation) => {
    if (args.type !== DO.firewall) return;
    asArray(args.props.inboundRules).forEach((raw, i) => {
      const rule = asRecord(raw);
      const world = asArray(rule.sourceAddresses).filter(isWorld);
      if (world.length === 0) return;
      reportViolation(
        `${label(args)} inboundRules[${i}] admits ${String(rule.protocol ?? "")} ${String(rule.portRange ?? "all ports")} from ${world.join(" and ")}. ` +
        `Admit only the load balancer (sourceLoadBalancerUids) or VPC-internal sources (sourceTags / the VPC CIDR); the DigitalOcean load balancer is the public entry.`,
      );
    });
  },
};

export const doDatabaseFirewallNotOpen: ResourceValidationPolicy = {
  name: "digitalocean-database-firewall-not-open",
  description: "DigitalOcean database firewalls trust no world-wide address range.",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["security", "data"],
  validateResource: (args, reportViolation) => {
    if (args.type !== DO.databaseFirewall) return;
    const rules = asArray(args.props.rules).map(asRecord);
    if (rules.length === 0) {
      reportViolation(`${label(args)} has no rules; a managed database without trusted sources accepts connections from anywhere. Add rules: [{ type: "tag", value: <API droplet tag> }].`);
    }
    rules.forEach((r, i) => {
      if (r.type === "ip_addr" && (isWorld(r.value) || r.value === "0.0.0.0")) {
        reportViolation(`${label(args)} rules[${i}] trusts ${String(r.value)}, i.e. the whole internet. Trust the API droplets' tag (type "tag") or the VPC CIDR instead.`);
      }
    });
  },
};

export const doDatabaseHasFirewall: StackValidationPolicy = {
  name: "digitalocean-database-has-firewall",
  description: "Every DigitalOcean managed database cluster has a database firewall (trusted sources).",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["security", "data"],
  validateStack: (args, reportViolation) => {
    const clusters = args.resources.filter((r) => r.type === DO.databaseCluster);
    if (clusters.length === 0) args.notApplicable("no DigitalOcean database clusters in the stack");
    const firewalls = args.resources.filter((r) => r.type === DO.databaseFirewall);
    for (const c of clusters) {
      if (!firewalls.some((f) => refersTo(f, "clusterId", c))) {
        reportViolation(`${label(c)} has no digitalocean.DatabaseFirewall, so it accepts connections from any address. Add one with clusterId: ${c.name}.id and rules trusting only the API droplets' tag.`, c.urn);
      }
    }
  },
};

export const networkRules = [awsVpcFlowLogs, awsNatPerAz, doFirewallNotOpen, doDatabaseFirewallNotOpen, doDatabaseHasFirewall];
