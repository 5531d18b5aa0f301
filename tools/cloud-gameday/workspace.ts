import type { EngineEvent } from "@pulumi/pulumi/automation";

// What the runner needs from a Pulumi stack: config with path semantics, preview and up with
// engine events, outputs. The real one is the Automation API (automation.ts); tests inject others.

export type { EngineEvent };

/** `pulumi config --json`: each top-level key's value, objects as JSON text. */
export type ConfigMap = Record<string, { value: string; secret?: boolean }>;

export interface GamedayWorkspace {
  readonly stackName: string;
  getAllConfig(): Promise<ConfigMap>;
  /** `pulumi config set --path KEY VALUE` */
  setConfig(path: string, value: string): Promise<void>;
  /** `pulumi config rm --path KEY` */
  removeConfig(path: string): Promise<void>;
  preview(onEvent: (e: EngineEvent) => void): Promise<void>;
  /** throws when the update fails (part of it may have been applied) */
  up(onEvent: (e: EngineEvent) => void): Promise<void>;
  /** stack outputs as plain values */
  outputs(): Promise<Record<string, unknown>>;
  /** the resources of the stack's state (`pulumi stack export`): `status` finds the standby replica's identifier there, which no output names */
  resources?(): Promise<readonly StateResource[]>;
}

export interface StateResource {
  readonly urn: string;
  readonly type: string;
  readonly outputs?: Record<string, unknown>;
}
