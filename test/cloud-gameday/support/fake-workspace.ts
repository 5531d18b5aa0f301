import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { ConfigMap, GamedayWorkspace, StateResource } from "../../../tools/cloud-gameday/workspace";

// A workspace without a CLI: config held as `pulumi config` holds it (top-level keys, objects as
// JSON), `--path` keys resolved the same way, previews and ups answered with scripted events, and
// every call recorded in order.

export interface Script {
  /** events of the n-th preview */
  readonly previews: readonly EngineEvent[][];
  readonly ups?: readonly EngineEvent[][];
  /** the n-th up (0-based) fails after its events */
  readonly failUp?: number;
  readonly outputs?: Record<string, unknown>;
  /** the state's resources (`pulumi stack export`); undefined: the workspace cannot read them */
  readonly resources?: readonly StateResource[];
}

export class FakeWorkspace implements GamedayWorkspace {
  readonly stackName = "prod";
  readonly calls: string[] = [];
  private previewsRun = 0;
  private upsRun = 0;
  constructor(public config: Record<string, unknown>, private readonly script: Script) {}

  async getAllConfig(): Promise<ConfigMap> {
    return Object.fromEntries(Object.entries(this.config).map(([k, v]) => [k, { value: typeof v === "string" ? v : JSON.stringify(v), secret: false }]));
  }
  async setConfig(path: string, value: string): Promise<void> {
    this.calls.push(`set ${path} ${value}`);
    setPath(this.config, path, /^-?\d+$/.test(value) ? Number(value) : value === "true" ? true : value === "false" ? false : value);
  }
  async removeConfig(path: string): Promise<void> {
    this.calls.push(`rm ${path}`);
    setPath(this.config, path, undefined);
  }
  async preview(onEvent: (e: EngineEvent) => void): Promise<void> {
    this.calls.push("preview");
    for (const e of this.script.previews[this.previewsRun++] ?? []) onEvent(e);
  }
  async up(onEvent: (e: EngineEvent) => void): Promise<void> {
    this.calls.push("up");
    const n = this.upsRun++;
    for (const e of this.script.ups?.[n] ?? []) onEvent(e);
    if (this.script.failUp === n) throw new Error("code: 255\n stderr: error: update failed\n  error: creating RDS instance: InvalidParameterCombination");
  }
  async outputs(): Promise<Record<string, unknown>> {
    return this.script.outputs ?? {};
  }
  get resources(): (() => Promise<readonly StateResource[]>) | undefined {
    const resources = this.script.resources;
    return resources && (async () => resources);
  }
}

/** `resilient-feed:dr.fencedRelease.server`, `…availabilityZones[1]`: set (or delete) in place. */
export function setPath(config: Record<string, unknown>, key: string, value: unknown): void {
  const [ns, rest] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
  const parts = rest.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== "");
  const top = `${ns}:${parts[0]}`;
  if (parts.length === 1) {
    if (value === undefined) delete config[top];
    else config[top] = value;
    return;
  }
  const root = (config[top] ??= /^\d+$/.test(parts[1]) ? [] : {}) as Record<string, unknown>;
  let node = root;
  for (let i = 1; i < parts.length - 1; i++) node = (node[parts[i]] ??= /^\d+$/.test(parts[i + 1]) ? [] : {}) as Record<string, unknown>;
  const last = parts[parts.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
}
