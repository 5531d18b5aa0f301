import type { SubnetPlan } from "./types";
import { prefixOf, splitCidr } from "../config/cidr";

/**
 * Carves a site CIDR into tier × AZ subnets. The site splits into four equal tier blocks
 * (public, private-app, private-data, one reserved for growth); each tier block splits into
 * 4 AZ slots (8 when a region has more than 4 AZs), so unused slots are room to add AZs later
 * without renumbering. A /16 site gets /20 subnets (4,091 usable addresses each).
 */
export function planSubnets(siteCidr: string, azCount: number): SubnetPlan {
  if (azCount < 1 || azCount > 8) throw new Error(`azCount ${azCount} out of range 1..8`);
  const tierPrefix = prefixOf(siteCidr) + 2;
  const { publicBlock, appBlock, dataBlock, reservedBlock } = tierBlocks(siteCidr);
  const azSlots = azCount <= 4 ? 4 : 8;
  const azPrefix = tierPrefix + Math.log2(azSlots);
  const perAz = (block: string) => splitCidr(block, azPrefix);
  const take = (block: string) => perAz(block).slice(0, azCount);
  const spare = (block: string) => perAz(block).slice(azCount);
  return {
    public: take(publicBlock),
    "private-app": take(appBlock),
    "private-data": take(dataBlock),
    reserved: [...spare(publicBlock), ...spare(appBlock), ...spare(dataBlock), reservedBlock],
  };
}

/** The four equal tier blocks of a site CIDR (each tier's AZ subnets lie inside its block). */
export function tierBlocks(siteCidr: string): { publicBlock: string; appBlock: string; dataBlock: string; reservedBlock: string } {
  const [publicBlock, appBlock, dataBlock, reservedBlock] = splitCidr(siteCidr, prefixOf(siteCidr) + 2);
  return { publicBlock, appBlock, dataBlock, reservedBlock };
}
