import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Topology } from "../topology/types";

// AWS WAF on the stack's CloudFront distributions (edge.waf): a web ACL of scope CLOUDFRONT, which
// lives in us-east-1, with a per-IP rate limit on the auth paths and two AWS managed rule groups,
// logging to a CloudWatch log group in us-east-1 whose name starts with aws-waf-logs- (WAF refuses
// any other destination name). The distributions attach it by ARN (webAclId).

export const WAF_REGION = "us-east-1";
/** The auth paths as CloudFront sees them: /auth/... at edge.domain, /api/auth/... on the static name. */
export const AUTH_PATH_REGEX = "^/(api/)?auth/";
export const MANAGED_RULE_GROUPS = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"] as const;
/** Request headers the logs never carry: the session cookie and bearer tokens. */
export const REDACTED_HEADERS = ["cookie", "authorization"] as const;
/** The rate rule's window: requests per minute per IP (WAF windows: 60, 120, 300 or 600 s). */
export const AUTH_RATE_WINDOW_SECONDS = 60;

const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });

/** The web ACL's rules, in evaluation order (pure, for tests and the plan). */
export function webAclRules(topology: Topology): aws.types.input.wafv2.WebAclRule[] {
  const prefix = `${topology.project}-${topology.environment}`;
  return [
    {
      name: "auth-rate-per-ip",
      priority: 0,
      // 429 like the app's own throttle, so clients back off the same way
      action: { block: { customResponse: { responseCode: 429 } } },
      statement: {
        rateBasedStatement: {
          limit: topology.edge.authRequestsPerMinute,
          evaluationWindowSec: AUTH_RATE_WINDOW_SECONDS,
          aggregateKeyType: "IP",
          // decoded and lower-cased first: /%61uth/login and /AUTH/login count too
          scopeDownStatement: {
            regexMatchStatement: {
              regexString: AUTH_PATH_REGEX,
              fieldToMatch: { uriPath: {} },
              textTransformations: [{ priority: 0, type: "URL_DECODE" }, { priority: 1, type: "LOWERCASE" }],
            },
          },
        },
      },
      visibilityConfig: visibility(`${prefix}-auth-rate`),
    },
    ...MANAGED_RULE_GROUPS.map((group, i): aws.types.input.wafv2.WebAclRule => ({
      name: group,
      priority: i + 1,
      // the group's own actions (block), not counted only
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group } },
      visibilityConfig: visibility(`${prefix}-${group}`),
    })),
  ];
}

export class EdgeWaf extends pulumi.ComponentResource {
  public readonly webAclArn: pulumi.Output<string>;
  public readonly logGroupName: pulumi.Output<string>;

  constructor(name: string, args: { topology: Topology }, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:EdgeWaf", name, {}, opts);
    const { topology } = args;
    const prefix = `${topology.project}-${topology.environment}`;
    const tags = { project: topology.project, environment: topology.environment, tier: "edge" };
    const child = { parent: this };

    const acl = new aws.wafv2.WebAcl(name, {
      region: WAF_REGION,
      scope: "CLOUDFRONT",
      name: `${prefix}-edge`,
      description: `${topology.project} ${topology.environment}: the CloudFront distributions (API and static)`,
      defaultAction: { allow: {} },
      rules: webAclRules(topology),
      visibilityConfig: visibility(`${prefix}-edge`),
      tags,
    }, child);
    const logs = new aws.cloudwatch.LogGroup(`${name}-logs`, {
      region: WAF_REGION,
      name: `aws-waf-logs-${prefix}`,
      retentionInDays: topology.logRetentionDays,
      tags,
    }, child);
    // WAF writes the log group's resource policy itself when logging is enabled
    new aws.wafv2.WebAclLoggingConfiguration(name, {
      region: WAF_REGION,
      resourceArn: acl.arn,
      logDestinationConfigs: [logs.arn],
      redactedFields: REDACTED_HEADERS.map((header) => ({ singleHeader: { name: header } })),
    }, child);

    this.webAclArn = acl.arn;
    this.logGroupName = logs.name;
    this.registerOutputs({ webAclArn: this.webAclArn, logGroupName: this.logGroupName });
  }
}
