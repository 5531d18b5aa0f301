// `npm run plan -- --stack prod [--mode M] [--active-site primary|secondary]`
// Evaluates the real program offline (Pulumi mocks) and prints what `pulumi up` would create.
import { parseArgs } from "node:util";
import { ConfigError } from "../../infra/config/errors";
import { evaluateStack } from "./evaluate";
import { formatPlan } from "./format";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      stack: { type: "string", default: "prod" },
      mode: { type: "string" },
      "active-site": { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  try {
    const plan = await evaluateStack({ stack: values.stack!, mode: values.mode, activeSite: values["active-site"] });
    console.log(values.json ? JSON.stringify(plan, null, 2) : formatPlan(plan));
    return 0;
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
