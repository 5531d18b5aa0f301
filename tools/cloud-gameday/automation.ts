import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { Refusal } from "./stages";
import type { ConfigMap, GamedayWorkspace } from "./workspace";

// The real workspace: the Automation API on this project's directory (the program the stack
// runs), the `pulumi` CLI found on PATH. Before anything else: is there a CLI, is it logged in,
// are there AWS credentials? Each missing one is a Refusal with what to do, never a trace.

export async function openStack(workDir: string, stackName: string): Promise<GamedayWorkspace> {
  let ws: LocalWorkspace;
  try {
    ws = await LocalWorkspace.create({ workDir });
  } catch (e) {
    const msg = (e as Error).message ?? "";
    if (/ENOENT|not found|spawn/i.test(msg)) throw new Refusal("needs the Pulumi CLI on PATH (https://www.pulumi.com/docs/install/); none was found");
    throw new Refusal(`the Pulumi CLI cannot be used: ${msg.split("\n")[0]}`);
  }
  try {
    await ws.whoAmI();
  } catch {
    throw new Refusal("needs Pulumi credentials: run `pulumi login` (or set PULUMI_ACCESS_TOKEN) first");
  }
  let stack: Stack;
  try {
    stack = await LocalWorkspace.selectStack({ stackName, workDir });
  } catch (e) {
    throw new Refusal(`cannot select stack ${stackName}: ${lastLine(e)}`);
  }
  return wrap(stack);
}

/** AWS credentials the provider would find: refused up front when there is no sign of any. */
export function checkAwsCredentials(config: ConfigMap, env = process.env, home = os.homedir()): void {
  const hints = ["AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"].some((k) => env[k]);
  const files = ["credentials", "config"].some((f) => fs.existsSync(path.join(home, ".aws", f)));
  const inStack = ["aws:profile", "aws:accessKey", "aws:assumeRoles", "aws:assumeRole"].some((k) => config[k] !== undefined);
  if (hints || files || inStack || env.GAMEDAY_AWS_INSTANCE_ROLE === "1") return;
  throw new Refusal("needs AWS credentials: none found (AWS_PROFILE, AWS_ACCESS_KEY_ID, a web identity or container role, ~/.aws/credentials or config, aws:profile in the stack; on an instance role set GAMEDAY_AWS_INSTANCE_ROLE=1)");
}

function wrap(stack: Stack): GamedayWorkspace {
  return {
    stackName: stack.name,
    getAllConfig: () => stack.getAllConfig(),
    setConfig: (key, value) => stack.setConfig(key, { value }, true),
    removeConfig: (key) => stack.removeConfig(key, true),
    preview: async (onEvent) => {
      await stack.preview({ onEvent });
    },
    up: async (onEvent) => {
      await stack.up({ onEvent });
    },
    outputs: async () => Object.fromEntries(Object.entries(await stack.outputs()).map(([k, v]) => [k, v.value])),
    resources: async () => ((await stack.exportStack()).deployment?.resources ?? []).map((r: { urn: string; type: string; outputs?: Record<string, unknown> }) => ({ urn: r.urn, type: r.type, outputs: r.outputs })),
  };
}

function lastLine(e: unknown): string {
  const lines = String((e as Error).message ?? e).split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /error/i.test(l)) ?? lines[lines.length - 1] ?? "unknown error";
}
