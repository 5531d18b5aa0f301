// `npm run policy -- --stack prod [--mode M] [--active-site primary|secondary] [--set K=V ...] [--format text|markdown|both] [--markdown-out FILE] [--config FILE]`
// Runs the policy pack (policies/rules/all.ts) over the offline plan of a stack (the same mock
// evaluation as `npm run plan`; no Pulumi CLI, no credentials) and prints the violations grouped
// by enforcement level.
import { readFileSync, writeFileSync } from "node:fs";
import { parseCliArgs, runCli, UsageError } from "../cli-support";
import type { PackConfig } from "./review";

const USAGE = `usage: npm run policy -- [--stack NAME] [--mode MODE] [--active-site primary|secondary] [--set KEY=VALUE ...]
                         [--format text|markdown|both] [--markdown-out FILE] [--config FILE]

Runs the CrossGuard pack's rules over the offline plan of a stack and prints the violations
grouped by enforcement level.

  --stack NAME          stack whose Pulumi.NAME.yaml is read (default: prod)
  --mode MODE           override dr.mode: backup-restore | pilot-light | warm-standby | active-active
  --active-site SITE    override dr.activeSite: primary | secondary
  --set KEY=VALUE       override any config key, named as \`pulumi config set --path\` names it
                        without the project prefix (repeatable), e.g. dr.databaseGeneration.primary=1
  --format F            text | markdown | both (default: text)
  --markdown-out FILE   also write the Markdown report to FILE
  --config FILE         policy pack config as JSON (per-policy enforcement levels and settings)
  -h, --help            show this help

Exit codes: 0 no mandatory violation (advisories allowed), 1 mandatory violations,
2 bad arguments, stack file or stack config.`;

const FORMATS = ["text", "markdown", "both"];

runCli("policy", async () => {
  const values = parseCliArgs({
    stack: { type: "string", default: "prod" },
    mode: { type: "string" },
    "active-site": { type: "string" },
    format: { type: "string", default: "text" },
    "markdown-out": { type: "string" },
    config: { type: "string" },
    set: { type: "string", multiple: true, default: [] },
  }, USAGE);
  const { configOverrides } = require("../plan/overrides") as typeof import("../plan/overrides");
  const overrides = configOverrides(values.set!);
  const format = values.format!;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be text, markdown or both, got ${JSON.stringify(format)}`);
  const config = values.config ? readPackConfig(values.config) : {};
  // loaded after the arguments are checked: the program's modules take seconds to load
  const { allPolicies } = require("../../policies/rules/all") as typeof import("../../policies/rules/all");
  const { evaluateStack } = require("../plan/evaluate") as typeof import("../plan/evaluate");
  const { formatMarkdown, formatText, reviewPlan } = require("./review") as typeof import("./review");
  const plan = await evaluateStack({ stack: values.stack!, mode: values.mode, activeSite: values["active-site"], configOverrides: overrides });
  const review = await reviewPlan(plan, allPolicies, config);
  const ctx = { stack: plan.stack, mode: String((plan.config.dr as { mode?: string } | undefined)?.mode ?? values.mode ?? ""), activeSite: values["active-site"] };
  const sections: string[] = [];
  if (format !== "markdown") sections.push(formatText(review, ctx));
  if (format !== "text") sections.push(formatMarkdown(review, ctx));
  console.log(sections.join("\n\n---\n\n"));
  if (values["markdown-out"]) writeFileSync(values["markdown-out"], formatMarkdown(review, ctx) + "\n");
  return review.mandatory.length > 0 ? 1 : 0;
});

function readPackConfig(file: string): PackConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`--config ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--config ${file}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof config !== "object" || config === null || Array.isArray(config)) throw new UsageError(`--config ${file}: expected a JSON object of policy name → config`);
  return config as PackConfig;
}
