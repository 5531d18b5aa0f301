import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Topology } from "../topology/types";

// The secret origin header: CloudFront adds it to every request it sends to the load balancers,
// whose listeners answer 403 to a request without it (except the readiness path, which the Route
// 53 health checkers call and which cannot carry a header). The security groups already admit
// only CloudFront; the header tells this stack's distributions from anybody else's.

export const ORIGIN_VERIFY_HEADER = "X-Origin-Verify";
/**
 * Letters and digits, 48 of them: no quoting in a header, no `*` or `?` (wildcards in an ALB
 * header condition, which also compares case-insensitively: ~248 bits remain) and under its 128.
 */
export const ORIGIN_SECRET_LENGTH = 48;

/**
 * Two slots, a and b (edge.originSecret): the listeners accept both, CloudFront sends `send`.
 * Rotating without a 403: raise the generation of the slot CloudFront does not send (a new value
 * the listeners accept at once), then, in a second run, send that slot. CloudFront takes minutes
 * to deploy the new header while the listeners still accept the old one. The values live in the
 * stack's state as secrets, and in the listener rules (readable with elasticloadbalancing:Describe*).
 */
export class OriginSecret extends pulumi.ComponentResource {
  /** the values the load balancers accept: both slots */
  public readonly accepted: pulumi.Output<string>[];
  /** the value CloudFront sends */
  public readonly sent: pulumi.Output<string>;

  constructor(name: string, args: { topology: Topology }, opts?: pulumi.ComponentResourceOptions) {
    super("resilient-feed:aws:OriginSecret", name, {}, opts);
    const settings = args.topology.edge.originSecret;
    const slot = (key: "a" | "b") => new random.RandomPassword(`${name}-${key}`, {
      length: ORIGIN_SECRET_LENGTH,
      special: false,
      // a new generation is a new value (RandomPassword replaces on a keeper change)
      keepers: { generation: String(settings[key]) },
    }, { parent: this }).result;
    const values = { a: slot("a"), b: slot("b") };
    this.accepted = [values.a, values.b];
    this.sent = values[settings.send];
    this.registerOutputs({});
  }
}
