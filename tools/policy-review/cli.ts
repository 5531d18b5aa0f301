// `npm run policy -- --stack prod [--mode M] [--active-site primary|secondary] [--format text|markdown|both] [--markdown-out FILE] [--config FILE]`
// Runs the policy pack (policies/rules/all.ts) over the offline plan of a stack (the same mock
// evaluation as `npm run plan`; no Pulumi CLI, no credentials) and prints the violations grouped
// by enforcement level. Exit code: 0 clean (advisories allowed), 1 mandatory violations,
// 2 bad stack config or arguments.
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ConfigError } from "../../infra/config/errors";
import { allPolicies } from "../../policies/rules/all";
import { evaluateStack } from "../plan/evaluate";
import { formatMarkdown, formatText, reviewPlan, type PackConfig } from "./review";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      stack: { type: "string", default: "prod" },
      mode: { type: "string" },
      "active-site": { type: "string" },
      format: { type: "string", default: "text" },
      "markdown-out": { type: "string" },
      config: { type: "string" },
    },
  });
  const format = values.format!;
  if (!["text", "markdown", "both"].includes(format)) {
    console.error(`--format must be text, markdown or both, got ${JSON.stringify(format)}`);
    return 2;
  }
  const config: PackConfig = values.config ? JSON.parse(readFileSync(values.config, "utf8")) : {};
  try {
    const plan = await evaluateStack({ stack: values.stack!, mode: values.mode, activeSite: values["active-site"] });
    const review = await reviewPlan(plan, allPolicies, config);
    const ctx = { stack: plan.stack, mode: String((plan.config.dr as { mode?: string } | undefined)?.mode ?? values.mode ?? ""), activeSite: values["active-site"] };
    const sections: string[] = [];
    if (format !== "markdown") sections.push(formatText(review, ctx));
    if (format !== "text") sections.push(formatMarkdown(review, ctx));
    console.log(sections.join("\n\n---\n\n"));
    if (values["markdown-out"]) writeFileSync(values["markdown-out"], formatMarkdown(review, ctx) + "\n");
    return review.mandatory.length > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
}

main().then((code) => process.exit(code), (e) => {
  console.error(e);
  process.exit(1);
});
