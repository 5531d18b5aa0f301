import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { label, refersTo, requireProdStack } from "./common";
import { AWS } from "./types";

// AWS networks: VPC flow logs, a NAT gateway per AZ in prod (DigitalOcean's firewalls: digitalocean.ts).

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

export const networkRules = [awsVpcFlowLogs, awsNatPerAz];
