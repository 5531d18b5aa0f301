import { IPv4CidrRange, IPv4Prefix } from "ip-num";

// CIDR math through ip-num rather than hand-rolled bit twiddling. In config because validation
// checks CIDRs before anything is planned; the subnet plan (infra/topology) reuses it.

export function cidrsOverlap(a: string, b: string): boolean {
  const ra = IPv4CidrRange.fromCidr(a);
  const rb = IPv4CidrRange.fromCidr(b);
  return ra.contains(rb) || rb.contains(ra);
}

/** Splits `cidr` into consecutive blocks of `/prefix`. */
export function splitCidr(cidr: string, prefix: number): string[] {
  return IPv4CidrRange.fromCidr(cidr)
    .splitInto(IPv4Prefix.fromNumber(BigInt(prefix)))
    .map((r) => r.toCidrString());
}

export function prefixOf(cidr: string): number {
  return Number(cidr.split("/")[1]);
}

export function cidrContains(outer: string, inner: string): boolean {
  return IPv4CidrRange.fromCidr(outer).contains(IPv4CidrRange.fromCidr(inner));
}

/** The network of a CIDR whose host bits may be set: "10.10.1.0/16" → "10.10.0.0/16". */
export function networkOf(cidr: string): string {
  return `${IPv4CidrRange.fromCidr(cidr).getFirst().toString()}/${prefixOf(cidr)}`;
}
