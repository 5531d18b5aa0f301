// The CrossGuard policy pack: `pulumi preview --policy-pack policies`.
// Only this file calls `new PolicyPack`; the rules live in ./rules and are tested there.
import { PolicyPack } from "@pulumi/policy";
import { allPolicies, PACK_NAME } from "./rules/all";

new PolicyPack(PACK_NAME, {
  // every rule sets its own level (mandatory: security, prod reliability, DR; advisory: cost);
  // a rule added without one blocks rather than slips through
  enforcementLevel: "mandatory",
  policies: allPolicies,
});
