import type { ProbeResult } from "../../../tools/cloud-gameday/probe";
import { PRIMARY, SECONDARY } from "./events";

// The stack the tests switch: prod-like, both sites on AWS, a Route 53 edge, and the outputs the
// last `up` left (the primary's release and pins, the designed objectives).

export const RELEASE = { server: "a".repeat(64), worker: "b".repeat(64) };
export const PINS = { amiId: "ami-0123456789abcdef0", availabilityZones: [`${PRIMARY}a`, `${PRIMARY}b`, `${PRIMARY}c`] };

export function stackConfig(dr: Record<string, unknown>): Record<string, unknown> {
  return {
    "aws:region": PRIMARY,
    "resilient-feed:environment": "prod",
    "resilient-feed:sites": { primary: { cloud: "aws", region: PRIMARY, cidr: "10.10.0.0/16" }, secondary: { cloud: "aws", region: SECONDARY, cidr: "10.20.0.0/16" } },
    "resilient-feed:dr": dr,
    "resilient-feed:edge": { dns: "route53", domain: "feed.example.com" },
  };
}

export function stackOutputs(mode: string, rtoSeconds = 390): Record<string, unknown> {
  return { drMode: mode, activeSite: "primary", recoveryObjectives: { rtoSeconds, rpoSeconds: 60 }, sites: { primary: { release: { ...RELEASE, hash: "h" }, pins: PINS } } };
}

export const healthy = async (): Promise<ProbeResult> => ({ healthy: true, seconds: 0.01, attempts: 1, last: "healthy", readWrite: "probed" });
