// Which DNS names a TLS certificate covers (RFC 6125 §6.4.3, as ACM issues them): an exact name,
// or a wildcard "*.<domain>" that covers exactly one more label, never the bare domain and never
// two levels ("*.example.com" covers feed.example.com, not example.com nor a.feed.example.com).
// A fact of the program, in its leaf module (infra/facts imports nothing): the config validation
// (infra/config) and the pack's CloudFront origin rule both read it.

/** "*.example.com" or "feed.example.com"; lower case, labels of 1-63 letters, digits, dashes. */
export const CERTIFICATE_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export function certificateCovers(certName: string, host: string): boolean {
  const name = certName.toLowerCase();
  const h = host.toLowerCase().replace(/\.$/, "");
  if (!name.startsWith("*.")) return name === h;
  const dot = h.indexOf(".");
  return dot > 0 && h.slice(dot + 1) === name.slice(2);
}

export function namesCover(certNames: readonly string[], host: string): boolean {
  return certNames.some((n) => certificateCovers(n, host));
}

/** Names ACM will never issue a certificate for: AWS's own service domains. */
export function isAwsServiceName(host: string): boolean {
  return /\.amazonaws\.com\.?$/i.test(host) || /\.cloudfront\.net\.?$/i.test(host);
}
