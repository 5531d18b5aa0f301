import type { StackValidationPolicy } from "@pulumi/policy";
import { asArray, asRecord, deploymentMarker, label } from "../common";
import { AWS } from "../types";
import { isAwsServiceName, namesCover } from "../../../infra/facts/certificate-names";

// CloudFront reaches a custom origin over TLS only if the origin's certificate matches the
// origin's domain name; otherwise every request through that origin answers 502 (CloudFront
// Developer Guide, "HTTP 502 status code (Bad Gateway)": SSL/TLS negotiation failure). An ALB's
// own name (…elb.amazonaws.com) can never match: ACM issues no certificate for amazonaws.com.
// ACM certificates are not resources of the stack, so the names each load balancer's certificate
// covers come from the Deployment marker's `originCertificates` (from sites.<site>.certificateDomains).
// A custom origin over plain HTTP sends viewers' requests, cookies included, across the internet
// in clear, so origins are https-only.

interface OriginCertificate {
  readonly site: string;
  readonly certificateArn: string;
  readonly domains: readonly string[];
}

function originCertificates(props: Record<string, unknown> | undefined): OriginCertificate[] {
  return asArray(props?.originCertificates).map(asRecord).map((c) => ({
    site: String(c.site ?? "?"),
    certificateArn: String(c.certificateArn ?? "?"),
    domains: asArray(c.domains).filter((d): d is string => typeof d === "string"),
  }));
}

export const awsCloudFrontOriginTls: StackValidationPolicy = {
  name: "aws-cloudfront-origin-tls",
  description: "CloudFront custom origins are https-only, by a name every load-balancer certificate behind it covers (else TLS to the origin fails and CloudFront answers 502).",
  enforcementLevel: "mandatory",
  severity: "high",
  tags: ["cloud-acceptance", "cdn", "encryption"],
  validateStack: (args, reportViolation) => {
    const distributions = args.resources.filter((r) => r.type === AWS.distribution);
    const custom = distributions.flatMap((d) => asArray(d.props.origins).map(asRecord).filter((o) => o.customOriginConfig !== undefined).map((o) => ({ d, o })));
    if (custom.length === 0) args.notApplicable("no CloudFront distribution in the stack has a custom origin");
    const marker = deploymentMarker(args.resources);
    const markerProps = marker ? args.resources.find((r) => r.urn === marker.urn)?.props : undefined;
    const certs = originCertificates(markerProps);
    for (const { d, o } of custom) {
      const id = String(o.originId ?? "?");
      const domain = o.domainName;
      const policy = asRecord(o.customOriginConfig).originProtocolPolicy;
      if (policy !== "https-only") {
        reportViolation(`${label(d)} origin "${id}" uses originProtocolPolicy ${JSON.stringify(policy ?? "(unset)")}: requests, cookies included, cross the internet to it in clear. Set https-only, with a certificate on the origin that covers its name.`, d.urn);
        continue;
      }
      if (typeof domain !== "string") continue; // computed during preview: nothing to compare yet
      if (isAwsServiceName(domain)) {
        reportViolation(
          `${label(d)} origin "${id}" is ${domain}: no ACM certificate can cover an AWS service name, so CloudFront's TLS check of the origin fails and every request through it answers 502. ` +
          `Point the origin at a name the load balancer's certificate covers (the edge's name, edge.domain).`,
          d.urn,
        );
        continue;
      }
      if (certs.length === 0) {
        reportViolation(`${label(d)} origin "${id}" is ${domain}, but the stack declares no certificate names for its load balancers (Deployment originCertificates, from sites.<site>.certificateDomains), so nothing shows a certificate covers it.`, d.urn);
        continue;
      }
      // the edge's name resolves to whichever site serves, so every site's certificate must cover it
      for (const c of certs.filter((c) => !namesCover(c.domains, domain))) {
        reportViolation(
          `${label(d)} origin "${id}" is ${domain}, which the ${c.site} site's certificate ${c.certificateArn} does not cover (it covers: ${c.domains.join(", ") || "nothing declared"}): when the name resolves to that site, TLS to the origin fails and CloudFront answers 502. ` +
          `Add ${domain} (or a one-level wildcard over it) to that certificate and to sites.${c.site}.certificateDomains.`,
          d.urn,
        );
      }
    }
  },
};
