import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asArray, asRecord, label } from "../common";
import { AWS } from "../types";

// EC2 refuses a security group or rule whose description leaves its charset, with
// InvalidParameterValue, at create time: a mock or a preview never sees it. EC2 API Reference:
// CreateSecurityGroup GroupDescription and IpRange / Ipv6Range Description allow
// a-zA-Z0-9, space and ._-:/()#,@[]+=&;{}!$* ; UserIdGroupPair and PrefixListId Description (a rule
// that names a group or a prefix list) allow the same without "&". Up to 255 characters each.

export const MAX_DESCRIPTION_LENGTH = 255;
const CIDR_RULE_CHARS = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/;
const REFERENCE_RULE_CHARS = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=;{}!$*]*$/;
const ALLOWED = "a-zA-Z0-9, space and ._-:/()#,@[]+=&;{}!$*";

/** The characters of `text` outside the charset, each once, in order. */
export function badCharacters(text: string, refersToGroup: boolean): string[] {
  const ok = refersToGroup ? REFERENCE_RULE_CHARS : CIDR_RULE_CHARS;
  return [...new Set([...text].filter((c) => !ok.test(c)))];
}

interface Described {
  readonly text: string;
  readonly where: string;
  /** names a security group or prefix list: EC2 drops "&" from the charset */
  readonly refersToGroup: boolean;
}

const present = (v: unknown) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0) && v !== "";

function inlineBlocks(props: Record<string, unknown>): Described[] {
  return (["ingress", "egress"] as const).flatMap((block) => asArray(props[block]).flatMap((raw, i) => {
    const e = asRecord(raw);
    if (typeof e.description !== "string") return [];
    return [{ text: e.description, where: `${block}[${i}].description`, refersToGroup: present(e.securityGroups) || present(e.prefixListIds) || e.self === true }];
  }));
}

/** Every description a security-group resource sends to EC2, with where it sits. */
export function descriptionsOf(type: string, props: Record<string, unknown>): Described[] {
  const own = typeof props.description === "string" ? props.description : undefined;
  switch (type) {
    case AWS.securityGroup:
      return [...(own !== undefined ? [{ text: own, where: "description", refersToGroup: false }] : []), ...inlineBlocks(props)];
    case AWS.defaultSecurityGroup:
      return inlineBlocks(props);
    case AWS.ingressRule:
    case AWS.egressRule:
      return own === undefined ? [] : [{ text: own, where: "description", refersToGroup: present(props.referencedSecurityGroupId) || present(props.prefixListId) }];
    case AWS.securityGroupRule:
      return own === undefined ? [] : [{ text: own, where: "description", refersToGroup: present(props.sourceSecurityGroupId) || present(props.prefixListIds) || props.self === true }];
    default:
      return [];
  }
}

export const awsSgDescriptionCharset: ResourceValidationPolicy = {
  name: "aws-sg-description-charset",
  description: "Security group and rule descriptions stay within EC2's charset and 255 characters (EC2 refuses anything else at create time).",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["cloud-acceptance", "network"],
  validateResource: (args, reportViolation) => {
    for (const d of descriptionsOf(args.type, args.props)) {
      const bad = badCharacters(d.text, d.refersToGroup);
      if (bad.length > 0) {
        const allowed = d.refersToGroup ? `${ALLOWED.replace("&", "")} (no "&" in a rule that names a security group or prefix list)` : ALLOWED;
        reportViolation(
          `${label(args)} ${d.where} "${d.text}" contains ${bad.map((c) => JSON.stringify(c)).join(", ")}, which EC2 refuses (InvalidParameterValue). ` +
          `Allowed: ${allowed}. Reword it (e.g. "the secondary site API subnet" instead of "the secondary site's API subnet").`,
        );
      }
      if (d.text.length > MAX_DESCRIPTION_LENGTH) {
        reportViolation(`${label(args)} ${d.where} is ${d.text.length} characters; EC2 allows at most ${MAX_DESCRIPTION_LENGTH}. Shorten it.`);
      }
    }
  },
};
