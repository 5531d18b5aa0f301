// `npm run plan -- --stack prod [--mode M] [--active-site primary|secondary] [--set K=V ...] [--json] [--diff [--from K=V ...]]`
// Evaluates the real program offline (Pulumi mocks) and prints what `pulumi up` would create, or
// with --diff what switching the configured stack to the overridden state would change.
import { UsageError, parseCliArgs, runCli } from "../cli-support";

const USAGE = `usage: npm run plan -- [--stack NAME] [--mode MODE] [--active-site primary|secondary] [--set KEY=VALUE ...] [--json] [--diff [--from KEY=VALUE ...]]

Evaluates the Pulumi program for a stack under mocks (no Pulumi CLI, no credentials) and prints
every resource it would create, after a summary of what each site runs: grouped by site and by
the component that creates it, in at most 120 columns.

  --stack NAME         stack whose Pulumi.NAME.yaml is read (default: prod)
  --mode MODE          override dr.mode: backup-restore | pilot-light | warm-standby | active-active
  --active-site SITE   override dr.activeSite: primary | secondary
  --set KEY=VALUE      override any config key, as \`pulumi config set --path\` names it without the
                       project prefix (repeatable), e.g. --set dr.databaseGeneration.primary=1
  --json               print the whole plan (resources with their inputs, config, outputs) as JSON
  --diff               compare the stack as configured with the --mode/--active-site state, like
                       \`pulumi preview --diff\`: per site +/-/~ (changed inputs), replacements,
                       totals, the derived RTO/RPO before → after with their breakdown, and the
                       step check: every order in which \`pulumi up\` may run the steps (creates and
                       updates after what they depend on, deletes last) against Route 53's record
                       rules and Cloudflare's pool references, deletes the clouds refuse, and
                       calls (steps, provider functions, provider start-up) into a fenced region
  --transitions        step-check every DR transition of the stack, stage by stage (the four modes
                       both ways, failover in each mode, the failback stages, geo ↔ latency): one
                       row per stage; exit 3 if any stage would be refused. A stack without a
                       secondary (dev) gets a standby on its primary's cloud added first; the
                       transitions its config refuses are listed with the reason, not checked
  --from KEY=VALUE     with --diff: override the "before" state too (repeatable), e.g. to diff a
                       failback stage: --from dr.activeSite=secondary --set dr.activeSite=secondary
                       --set dr.databaseGeneration.primary=1
  --cost               an estimated monthly cost of the state, per site and tier, from the plan's
                       resources and the price table (tools/plan/prices.ts, dated); with --diff
                       the cost before → after; with --json the estimate with its lines
  --compare-modes      one row per DR mode for the stack as configured: monthly cost (desired /
                       max size; active, standby, global), RTO, RPO, what the standby runs
  --breakdown          with --compare-modes: each mode's RTO/RPO breakdown
  --usage NAME=VALUE   with --cost/--compare-modes: a usage figure of the estimate (repeatable;
                       else cost:NAME in the stack file, else the default the output lists)
  -h, --help           show this help

Exit codes: 0 planned, 2 bad arguments, stack file or stack config, 3 (--diff) the step check
found a step the clouds would refuse, a delete they would refuse, or a call into a fenced region.`;

runCli("plan", async () => {
  const values = parseCliArgs({
    stack: { type: "string", default: "prod" },
    mode: { type: "string" },
    "active-site": { type: "string" },
    json: { type: "boolean", default: false },
    diff: { type: "boolean", default: false },
    transitions: { type: "boolean", default: false },
    cost: { type: "boolean", default: false },
    "compare-modes": { type: "boolean", default: false },
    breakdown: { type: "boolean", default: false },
    usage: { type: "string", multiple: true, default: [] },
    set: { type: "string", multiple: true, default: [] },
    from: { type: "string", multiple: true, default: [] },
  }, USAGE);
  const { configOverrides } = require("./overrides") as typeof import("./overrides");
  const after = configOverrides(values.set!);
  const before = configOverrides(values.from!);
  if (values.from!.length > 0 && !values.diff) throw new UsageError("--from only applies with --diff");
  // loaded after the arguments are checked: the program's modules take seconds to load
  const { evaluateStack } = require("./evaluate") as typeof import("./evaluate");
  const { formatPlan } = require("./format") as typeof import("./format");
  const { MAX_WIDTH, outputWidth } = require("./layout") as typeof import("./layout");
  if (values.transitions) return await allTransitions(values.stack!);
  const costCli = () => require("./cost-cli") as typeof import("./cost-cli");
  if (values["compare-modes"]) return await costCli().printModes(values.stack!, values["active-site"], after, values.usage!, values.json!, values.breakdown!);
  const plan = await evaluateStack({ stack: values.stack!, mode: values.mode, activeSite: values["active-site"], configOverrides: after });
  if (values.diff) {
    const { diffPlans, formatDiff } = require("./diff") as typeof import("./diff");
    const configured = await evaluateStack({ stack: values.stack!, configOverrides: before });
    const diff = diffPlans(configured, plan);
    const { checkSteps, formatStepCheck, stepsAccepted } = require("./step-check") as typeof import("./step-check");
    const steps = checkSteps(configured, plan, diff);
    const width = outputWidth(process.stdout.columns, 100);
    const cost = values.cost ? costCli().diffCost(values.stack!, configured, plan, values.usage!) : undefined;
    console.log(values.json ? JSON.stringify({ ...diff, steps: stepsJson(steps), ...(cost ? { cost: cost.json } : {}) }, null, 2) : [formatDiff(diff, width), ...(cost ? [cost.text] : []), ...formatStepCheck(steps, width)].join("\n"));
    return stepsAccepted(steps) ? 0 : 3;
  }
  if (values.cost) return costCli().printCost({ stack: values.stack!, plan, usage: values.usage!, json: values.json! });
  console.log(values.json ? JSON.stringify(plan, null, 2) : formatPlan(plan, outputWidth(process.stdout.columns, MAX_WIDTH)));
  return 0;
});

/** The step check as data: findings by name, not the whole resources. */
function stepsJson(c: import("./step-check").StepCheck): unknown {
  const step = (s: import("./steps").Step) => ({ kind: s.kind, type: s.type, name: s.name });
  return {
    steps: c.steps,
    states: c.states,
    refusedSteps: c.refusedSteps.map((r) => ({ step: step(r.step), problem: r.problem, after: r.order.slice(0, -1).map(step) })),
    refusedDeletes: c.refusedDeletes.map((d) => ({ step: step(d.step), problem: d.problem })),
    calls: c.calls,
    skipped: c.skipped,
  };
}

async function allTransitions(stack: string): Promise<number> {
  const { checkTransitions, stackTransitions } = require("./transitions") as typeof import("./transitions");
  const { formatTransitions } = require("./transitions-report") as typeof import("./transitions-report");
  const { stepsAccepted } = require("./step-check") as typeof import("./step-check");
  const { allowed, refused } = stackTransitions(stack);
  const stages = await checkTransitions(stack, allowed);
  console.log(formatTransitions(stages, Math.min(process.stdout.columns || 120, 120), refused).join("\n"));
  return stages.every((s) => stepsAccepted(s.check)) ? 0 : 3;
}
