import * as pulumi from "@pulumi/pulumi";
import { loadProjectConfig, projectConfigFrom } from "../../infra/config/load";
import { PROJECT_NAME } from "../../infra/names";
import { deploy } from "../../infra/program";
import { buildTopology } from "../../infra/topology/build";
import { todayUtc } from "../../infra/clock";
import { readStackConfig } from "../../infra/config/stack-file";
import { RecordingMocks } from "./mocks";
import { recordRegistrations } from "./registrations";
import type { PlanResult } from "./types";

export interface EvaluateOptions {
  readonly stack: string;
  /** shortcut for configOverrides.dr.mode */
  readonly mode?: string;
  /** shortcut for configOverrides.dr.activeSite */
  readonly activeSite?: string;
  /** deep-merged into the stack's project config, keys without the namespace: { dr: { mode } } */
  readonly configOverrides?: Record<string, unknown>;
  /** receives the recording mocks before evaluation (tests inspect them when evaluation throws) */
  readonly observe?: (mocks: RecordingMocks) => void;
}

const PROJECT = PROJECT_NAME;

/**
 * Evaluates the real program (infra/program.ts, as infra/index.ts runs it) for a stack under
 * Pulumi mocks: no CLI, no credentials, no network. Config errors are thrown as ConfigError.
 */
export async function evaluateStack(opts: EvaluateOptions): Promise<PlanResult> {
  const flat = readStackConfig(opts.stack);
  const overrides: Record<string, unknown> = { ...(opts.configOverrides ?? {}) };
  if (opts.mode !== undefined || opts.activeSite !== undefined) {
    overrides.dr = { ...((overrides.dr as object) ?? {}), ...(opts.mode !== undefined ? { mode: opts.mode } : {}), ...(opts.activeSite !== undefined ? { activeSite: opts.activeSite } : {}) };
  }
  const merged = deepMerge(projectConfigFrom(flat), overrides);
  for (const [key, value] of Object.entries(merged)) flat[`${PROJECT}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);

  const mocks = new RecordingMocks(PROJECT, opts.stack, flat["aws:region"]);
  opts.observe?.(mocks);
  await pulumi.runtime.setMocks(mocks, PROJECT, opts.stack, false);
  recordRegistrations(mocks.registrations);
  pulumi.runtime.setAllConfig(flat);

  // The program's modules register nothing at import time, so they can be imported up front;
  // resources are created only by deploy(), after the mocks and config are in place.
  // runs after every resource's own and inherited transformations, so it sees their final options
  const recordRetained: pulumi.ResourceTransformation = (a) => {
    if (a.opts.retainOnDelete) mocks.retained.add(`${a.type}::${a.name}`);
    return undefined;
  };
  const outputs = deploy(buildTopology(loadProjectConfig(), todayUtc()), { transformations: [recordRetained] });
  const resolved = await resolve(outputs);
  await mocks.settled();
  return { stack: opts.stack, resources: mocks.resources, config: merged, outputs: resolved as Record<string, unknown>, invokes: mocks.invokes, defaultProviders: [...mocks.defaultProviders].sort(), providerConfig: providerConfig(flat) };
}

/** The stack's provider keys (`aws:region`, ...): where default providers send their own calls. */
function providerConfig(flat: Record<string, string>): Record<string, string> {
  const providers = ["aws:", "cloudflare:", "digitalocean:"];
  const secret = /token|key|secret|password/i;
  return Object.fromEntries(Object.entries(flat).filter(([k]) => providers.some((p) => k.startsWith(p)) && !secret.test(k)));
}

function deepMerge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const cur = out[k];
    out[k] = isPlainObject(v) && isPlainObject(cur) ? deepMerge(cur, v) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Resolves a tree of Outputs into plain values. */
function resolve(value: unknown): Promise<unknown> {
  const out: pulumi.Output<unknown> = pulumi.output(value as pulumi.Input<unknown>);
  return new Promise((done) => out.apply((v) => done(v)));
}
