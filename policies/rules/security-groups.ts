import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { asArray, asRecord, isTrue, isWorld, label, nonEmptyString, refersTo, requireProdStack, tagValue, WORLD_IPV4, WORLD_IPV6 } from "./common";
import { AWS, DEPLOYMENT } from "./types";

// Security-group rules: world ingress only for HTTP/HTTPS on the load balancer's group, no SSH or
// RDP at all, and a description on every group and rule.

/** One ingress permission, whichever resource shape declared it. */
export interface IngressEntry {
  /** "tcp", "udp", "icmp", "-1" (all) ... as written */
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly cidrs: readonly string[];
  readonly description?: unknown;
  /** where it came from, for messages: "ingress[2]" or "the rule" */
  readonly where: string;
}

const ALL_PROTOCOLS = new Set(["-1", "all"]);
const PORTED_PROTOCOLS = new Set(["tcp", "6", "udp", "17"]);
export const LOAD_BALANCER_TIER = "load-balancer";
export const WEB_PORTS = [80, 443] as const;
export const ADMIN_PORTS: ReadonlyArray<{ port: number; name: string }> = [{ port: 22, name: "SSH" }, { port: 3389, name: "RDP" }];

const SG_RULE_TYPES: readonly string[] = [AWS.securityGroup, AWS.defaultSecurityGroup, AWS.ingressRule, AWS.securityGroupRule];

function num(v: unknown): number | undefined {
  return typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)) ? Number(v) : undefined;
}

/** The ingress permissions a resource declares (inline blocks, standalone rules), else []. */
export function ingressEntries(type: string, props: Record<string, unknown>): IngressEntry[] {
  switch (type) {
    case AWS.securityGroup:
    case AWS.defaultSecurityGroup:
      return asArray(props.ingress).map((raw, i) => {
        const e = asRecord(raw);
        return {
          protocol: String(e.protocol ?? "").toLowerCase(),
          fromPort: num(e.fromPort),
          toPort: num(e.toPort),
          cidrs: [...asArray<string>(e.cidrBlocks), ...asArray<string>(e.ipv6CidrBlocks)],
          description: e.description,
          where: `ingress[${i}]`,
        };
      });
    case AWS.ingressRule:
      return [{
        protocol: String(props.ipProtocol ?? "").toLowerCase(),
        fromPort: num(props.fromPort),
        toPort: num(props.toPort),
        cidrs: [props.cidrIpv4, props.cidrIpv6].filter((c): c is string => typeof c === "string"),
        description: props.description,
        where: "the rule",
      }];
    case AWS.securityGroupRule:
      if (props.type !== "ingress") return [];
      return [{
        protocol: String(props.protocol ?? "").toLowerCase(),
        fromPort: num(props.fromPort),
        toPort: num(props.toPort),
        cidrs: [...asArray<string>(props.cidrBlocks), ...asArray<string>(props.ipv6CidrBlocks)],
        description: props.description,
        where: "the rule",
      }];
    default:
      return [];
  }
}

/** Whether a permission lets traffic reach `port` (TCP or UDP, or every protocol). */
export function coversPort(e: IngressEntry, port: number): boolean {
  if (ALL_PROTOCOLS.has(e.protocol)) return true;
  if (!PORTED_PROTOCOLS.has(e.protocol)) return false;
  if (e.fromPort === undefined || e.toPort === undefined) return false;
  // AWS uses -1..-1 or 0..65535 in some shapes for "all ports"
  if (e.fromPort === -1 && e.toPort === -1) return true;
  return e.fromPort <= port && port <= e.toPort;
}

/** Exactly TCP 80 or TCP 443: the only permissions that may be open to the world. */
export function isWebOnly(e: IngressEntry): boolean {
  return (e.protocol === "tcp" || e.protocol === "6") && e.fromPort !== undefined && e.fromPort === e.toPort && (WEB_PORTS as readonly number[]).includes(e.fromPort);
}

export function describePorts(e: IngressEntry): string {
  if (ALL_PROTOCOLS.has(e.protocol)) return "all protocols and ports";
  if (!PORTED_PROTOCOLS.has(e.protocol)) return `protocol ${e.protocol || "(unset)"}`;
  return e.fromPort === e.toPort ? `${e.protocol} port ${e.fromPort}` : `${e.protocol} ports ${e.fromPort}-${e.toPort}`;
}

export const awsSgNoWorldIngress: ResourceValidationPolicy = {
  name: "aws-sg-no-world-ingress",
  description: "Security groups admit 0.0.0.0/0 or ::/0 only on TCP 80/443, and only on the load balancer's group.",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["security", "network"],
  validateResource: (args, reportViolation) => {
    if (!SG_RULE_TYPES.includes(args.type)) return;
    const entries = ingressEntries(args.type, args.props);
    const inlineGroup = args.type === AWS.securityGroup || args.type === AWS.defaultSecurityGroup;
    const tier = inlineGroup ? tagValue(args.props.tags, "tier") : undefined;
    for (const e of entries) {
      const world = e.cidrs.filter(isWorld);
      if (world.length === 0) continue;
      if (!isWebOnly(e)) {
        reportViolation(
          `${label(args)} opens ${describePorts(e)} to ${world.join(" and ")} (${e.where}). Only TCP 80/443 on the load balancer's security group may be open to the world; ` +
          `restrict the source to a security group (referencedSecurityGroupId / securityGroups) or a private CIDR, or put the service behind the load balancer.`,
        );
      } else if (inlineGroup && tier !== LOAD_BALANCER_TIER) {
        reportViolation(
          `${label(args)} opens ${describePorts(e)} to ${world.join(" and ")} (${e.where}) but is not the load balancer's group (tag tier="${tier ?? "(none)"}"). ` +
          `Open web ports to the world only on the group tagged tier="${LOAD_BALANCER_TIER}" that the ALB uses; everything behind it should admit that group instead.`,
        );
      }
    }
  },
};

export const awsSgNoAdminPorts: ResourceValidationPolicy = {
  name: "aws-sg-no-admin-ports",
  description: "No security group admits SSH (22) or RDP (3389) from any source; use SSM Session Manager.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["security", "network"],
  validateResource: (args, reportViolation) => {
    if (!SG_RULE_TYPES.includes(args.type)) return;
    for (const e of ingressEntries(args.type, args.props)) {
      for (const admin of ADMIN_PORTS) {
        if (!coversPort(e, admin.port)) continue;
        const source = e.cidrs.length > 0 ? e.cidrs.join(", ") : "a security group / prefix list";
        reportViolation(
          `${label(args)} admits ${admin.name} (port ${admin.port}) from ${source} via ${describePorts(e)} (${e.where}). ` +
          `Remove the permission: instances are reached through SSM Session Manager (the instance role has AmazonSSMManagedInstanceCore), never by ${admin.name}.`,
        );
      }
    }
  },
};

const DEFAULT_SG_DESCRIPTION = "Managed by Pulumi";

export const awsSgRuleDescription: ResourceValidationPolicy = {
  name: "aws-sg-rule-description",
  description: "Every security group and every ingress/egress rule has a description saying what it is for.",
  enforcementLevel: "mandatory",
  severity: "low",
  tags: ["security", "network"],
  validateResource: (args, reportViolation) => {
    const p = args.props;
    const fix = "Set `description` to who may connect and why (e.g. \"MySQL from the API instances only\").";
    switch (args.type) {
      case AWS.securityGroup: {
        if (!nonEmptyString(p.description) || p.description === DEFAULT_SG_DESCRIPTION) {
          reportViolation(`${label(args)} has no description (the provider default is "${DEFAULT_SG_DESCRIPTION}"). ${fix}`);
        }
        for (const block of ["ingress", "egress"] as const) {
          asArray(p[block]).forEach((raw, i) => {
            if (!nonEmptyString(asRecord(raw).description)) reportViolation(`${label(args)} ${block}[${i}] has no description. ${fix}`);
          });
        }
        return;
      }
      case AWS.defaultSecurityGroup:
        for (const block of ["ingress", "egress"] as const) {
          asArray(p[block]).forEach((raw, i) => {
            if (!nonEmptyString(asRecord(raw).description)) reportViolation(`${label(args)} ${block}[${i}] has no description. ${fix}`);
          });
        }
        return;
      case AWS.ingressRule:
      case AWS.egressRule:
      case AWS.securityGroupRule:
        if (!nonEmptyString(p.description)) reportViolation(`${label(args)} has no description. ${fix}`);
        return;
      default:
        return;
    }
  },
};

/**
 * Standalone rules do not carry their group's tags, so whether a world-open 80/443 rule sits on
 * the load balancer's group is decided over the stack: the rule's `securityGroupId` must point
 * at a group tagged tier=load-balancer or used by a load balancer.
 */
export const awsSgWorldIngressLoadBalancerOnly: StackValidationPolicy = {
  name: "aws-sg-world-ingress-load-balancer-only",
  description: "World-open HTTP/HTTPS rules attach only to the load balancer's security group.",
  enforcementLevel: "mandatory",
  severity: "critical",
  tags: ["security", "network"],
  validateStack: (args, reportViolation) => {
    const groups = args.resources.filter((r) => r.type === AWS.securityGroup);
    const lbs = args.resources.filter((r) => r.type === AWS.lbLoadBalancer || r.type === AWS.albLoadBalancer);
    const isLbGroup = (g: PolicyResource): boolean =>
      tagValue(g.props.tags, "tier") === LOAD_BALANCER_TIER || lbs.some((lb) => refersTo(lb, "securityGroups", g));
    const rules = args.resources.filter((r) => r.type === AWS.ingressRule || (r.type === AWS.securityGroupRule && r.props.type === "ingress"));
    if (rules.length === 0) args.notApplicable("no standalone security-group ingress rules in the stack");
    for (const rule of rules) {
      const open = ingressEntries(rule.type, rule.props).filter((e) => e.cidrs.some(isWorld) && isWebOnly(e));
      if (open.length === 0) continue;
      const group = groups.find((g) => refersTo(rule, "securityGroupId", g));
      if (!group) continue; // an existing group outside this stack: nothing to compare against
      if (isLbGroup(group)) continue;
      reportViolation(
        `${label(rule)} opens ${describePorts(open[0])} to ${[WORLD_IPV4, WORLD_IPV6].filter((c) => open[0].cidrs.includes(c)).join(" and ")} on ${label(group)}, which is not the load balancer's group ` +
        `(tag tier="${tagValue(group.props.tags, "tier") ?? "(none)"}", used by no load balancer). Attach world-open web rules only to the ALB's group; ` +
        `admit the ALB's group (referencedSecurityGroupId) on this one instead.`,
        rule.urn,
      );
    }
  },
};

/** The Deployment marker's edge front (EdgePlan.front): "direct" is the only one whose ALBs may admit the world. */
export const DIRECT_FRONT = "direct";

/**
 * In prod, an internet-facing ALB behind CloudFront or Cloudflare must admit only the edge: a
 * world-open rule on any of its groups lets anyone bypass the edge (its WAF, rate limits, headers).
 * The Deployment marker's `edgeFront` says how users reach the ALBs; only "direct" allows it.
 */
export const awsAlbOnlyFromEdge: StackValidationPolicy = {
  name: "aws-alb-only-from-edge",
  description: "In prod, a load balancer's security groups admit 0.0.0.0/0 or ::/0 only when users reach it directly (edgeFront direct).",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["security", "network"],
  validateStack: (args, reportViolation) => {
    requireProdStack(args, "aws-alb-only-from-edge");
    const marker = args.resources.find((r) => r.type === DEPLOYMENT);
    const front = typeof marker?.props.edgeFront === "string" ? marker.props.edgeFront : undefined;
    if (front === DIRECT_FRONT) args.notApplicable(`aws-alb-only-from-edge: users reach the load balancers directly (edgeFront ${DIRECT_FRONT}), so they admit the internet`);
    const albs = args.resources.filter((r) => (r.type === AWS.lbLoadBalancer || r.type === AWS.albLoadBalancer) && !isTrue(r.props.internal) && (r.props.loadBalancerType ?? "application") === "application");
    if (albs.length === 0) args.notApplicable("aws-alb-only-from-edge: no internet-facing application load balancer in the stack");
    const groups = args.resources.filter((r) => r.type === AWS.securityGroup);
    const rules = args.resources.filter((r) => r.type === AWS.ingressRule || (r.type === AWS.securityGroupRule && r.props.type === "ingress"));
    const behind = front === undefined ? "the edge (the Deployment marker names no edgeFront)" : `${front} (edgeFront ${front})`;
    for (const alb of albs) {
      for (const g of groups.filter((x) => refersTo(alb, "securityGroups", x))) {
        const open = [
          ...ingressEntries(g.type, g.props).filter((e) => e.cidrs.some(isWorld)).map((e) => ({ where: `${label(g)} ${e.where}`, e, urn: g.urn })),
          ...rules.filter((r) => refersTo(r, "securityGroupId", g)).flatMap((r) => ingressEntries(r.type, r.props).filter((e) => e.cidrs.some(isWorld)).map((e) => ({ where: label(r), e, urn: r.urn }))),
        ];
        for (const { where, e, urn } of open) {
          reportViolation(
            `${where} opens ${describePorts(e)} to ${e.cidrs.filter(isWorld).join(" and ")} on ${label(g)} of ${label(alb)}, but users reach it through ${behind}: anyone could bypass the edge's WAF and limits. ` +
            `Admit only the edge (the CloudFront origin-facing and Route 53 health-check prefix lists, or Cloudflare's ranges), or set edge.cdnFrontsApi false if users really call the load balancer directly.`,
            urn,
          );
        }
      }
    }
  },
};

export const securityGroupRules = [awsSgNoWorldIngress, awsSgNoAdminPorts, awsSgRuleDescription, awsSgWorldIngressLoadBalancerOnly, awsAlbOnlyFromEdge];
