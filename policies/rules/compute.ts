import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asArray, asRecord, isTrue, label, requireProd } from "./common";
import { AWS } from "./types";

// The API tier: launch templates (IMDSv2, encrypted volumes), the ALB and its listeners, and the
// autoscaling group (prod: ELB health checks, at least two AZs).

export const awsLaunchTemplateImdsv2: ResourceValidationPolicy = {
  name: "aws-launch-template-imdsv2",
  description: "Launch templates require IMDSv2 tokens with a hop limit of 1.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["security", "compute"],
  validateResource: (args, reportViolation) => {
    if (args.type !== AWS.launchTemplate) return;
    const m = asRecord(args.props.metadataOptions);
    if (m.httpEndpoint === "disabled") return; // no instance metadata service at all
    if (m.httpTokens !== "required") {
      reportViolation(
        `${label(args)} allows IMDSv1 (metadataOptions.httpTokens is ${JSON.stringify(m.httpTokens ?? null)}), which SSRF can read credentials from. ` +
        `Set metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 }.`,
      );
    }
    if (m.httpPutResponseHopLimit !== 1) {
      reportViolation(
        `${label(args)} sets metadataOptions.httpPutResponseHopLimit to ${JSON.stringify(m.httpPutResponseHopLimit ?? null)} (unset means the AMI's default, 2 on AL2023), ` +
        `so containers or forwarded requests can fetch tokens. Set httpPutResponseHopLimit: 1.`,
      );
    }
  },
};

export const awsLaunchTemplateEncryptedVolumes: ResourceValidationPolicy = {
  name: "aws-launch-template-encrypted-volumes",
  description: "Launch templates declare their EBS volumes, all encrypted.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["security", "compute"],
  validateResource: (args, reportViolation) => {
    if (args.type !== AWS.launchTemplate) return;
    const mappings = asArray(args.props.blockDeviceMappings).map(asRecord).filter((m) => m.ebs !== undefined);
    if (mappings.length === 0) {
      reportViolation(
        `${label(args)} declares no EBS block device mappings, so the root volume's encryption is left to the AMI and the account default. ` +
        `Add blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeType: "gp3" } }].`,
      );
      return;
    }
    for (const m of mappings) {
      const ebs = asRecord(m.ebs);
      if (!isTrue(ebs.encrypted)) {
        reportViolation(`${label(args)} volume ${JSON.stringify(m.deviceName ?? "(no deviceName)")} is not encrypted (ebs.encrypted is ${JSON.stringify(ebs.encrypted ?? null)}). Set ebs.encrypted: "true".`);
      }
    }
  },
};

const LB_TYPES: readonly string[] = [AWS.lbLoadBalancer, AWS.albLoadBalancer];
const LISTENER_TYPES: readonly string[] = [AWS.lbListener, AWS.albListener];

export const awsAlbDropInvalidHeaders: ResourceValidationPolicy = {
  name: "aws-alb-drop-invalid-headers",
  description: "Application load balancers drop invalid HTTP header fields (request smuggling).",
  enforcementLevel: "mandatory",
  severity: "medium",
  tags: ["security", "network"],
  validateResource: (args, reportViolation) => {
    if (!LB_TYPES.includes(args.type)) return;
    const kind = args.props.loadBalancerType ?? "application";
    if (kind !== "application") args.notApplicable(`${label(args)} is a ${String(kind)} load balancer`);
    if (!isTrue(args.props.dropInvalidHeaderFields)) {
      reportViolation(`${label(args)} forwards invalid HTTP header fields to the targets (dropInvalidHeaderFields is not true). Set dropInvalidHeaderFields: true.`);
    }
  },
};

export const awsAlbListenerHttps: ResourceValidationPolicy = {
  name: "aws-alb-listener-https",
  description: "Load balancer listeners serve HTTPS; a plain-HTTP listener may only redirect to HTTPS.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["security", "network"],
  validateResource: (args, reportViolation) => {
    if (!LISTENER_TYPES.includes(args.type)) return;
    if (args.props.protocol !== "HTTP") return;
    const actions = asArray(args.props.defaultActions).map(asRecord);
    const redirectsToHttps = (a: Record<string, unknown>): boolean => a.type === "redirect" && asRecord(a.redirect).protocol === "HTTPS";
    if (actions.length === 0 || !actions.every(redirectsToHttps)) {
      const kinds = actions.map((a) => String(a.type)).join(", ") || "none";
      reportViolation(
        `${label(args)} serves plain HTTP on port ${String(args.props.port ?? 80)} (default actions: ${kinds}). ` +
        `Serve the app on an HTTPS listener (certificate, TLS 1.2+ policy) and make this listener a redirect: defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }].`,
      );
    }
  },
};

export const awsAsgElbHealthCheck: ResourceValidationPolicy = {
  name: "aws-asg-elb-health-check",
  description: "Prod autoscaling groups replace instances the load balancer finds unhealthy (healthCheckType ELB).",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["reliability", "prod"],
  validateResource: (args, reportViolation) => {
    if (args.type !== AWS.autoscalingGroup) return;
    requireProd(args, "aws-asg-elb-health-check");
    if (args.props.healthCheckType !== "ELB") {
      reportViolation(
        `${label(args)} uses ${JSON.stringify(args.props.healthCheckType ?? "EC2")} health checks, so an instance whose app is down but whose VM runs is never replaced. ` +
        `Set healthCheckType: "ELB" with a healthCheckGracePeriod covering boot.`,
      );
    }
  },
};

export const awsAsgMultiAz: ResourceValidationPolicy = {
  name: "aws-asg-multi-az",
  description: "Prod autoscaling groups span at least two availability zones.",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["reliability", "prod"],
  validateResource: (args, reportViolation) => {
    if (args.type !== AWS.autoscalingGroup) return;
    requireProd(args, "aws-asg-multi-az");
    const subnets = new Set(asArray(args.props.vpcZoneIdentifiers));
    const zones = new Set(asArray(args.props.availabilityZones));
    const spread = Math.max(subnets.size, zones.size);
    if (spread < 2) {
      reportViolation(
        `${label(args)} spans ${spread} availability zone(s)/subnet(s); one AZ outage takes the whole tier down. ` +
        `Set vpcZoneIdentifiers to the app subnets of at least two AZs (the prod network has one per AZ).`,
      );
    }
  },
};

export const computeRules = [awsLaunchTemplateImdsv2, awsLaunchTemplateEncryptedVolumes, awsAlbDropInvalidHeaders, awsAlbListenerHttps, awsAsgElbHealthCheck, awsAsgMultiAz];
