// What the Pulumi engine learns about each resource besides its inputs: the resources it depends
// on and its replacement options. The mock monitor reads these off the registration request and
// drops them, so the offline plan listens to that request itself. The step check (steps.ts)
// needs the dependencies: Pulumi runs a create or update only after what it depends on.

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getDependenciesList(): string[];
  getDeletebeforereplace(): boolean;
  getAliasesList(): { getUrn(): string; getSpec(): { getName(): string; getType(): string } | undefined }[];
}

interface MonitorLike {
  registerResource(req: RegisterRequest, callback: (...args: unknown[]) => void): unknown;
}

export interface Registration {
  /** plan URNs (type::name keyed) of the dependencies */
  readonly dependencies: readonly string[];
  readonly deleteBeforeReplace: boolean;
  /** `type::name` of the resource's former identities (URN aliases): the engine moves them to it */
  readonly aliases: readonly string[];
  /** `type::name` of the parent resource (a component, a custom resource), "" under the stack */
  readonly parent: string;
}

/** `type::name` of an engine URN (the mock monitor prefixes the parent's type with `$`). */
export function typeAndName(urn: string): string {
  const parts = urn.split("::");
  const type = parts[2]?.split("$").pop() ?? "";
  return `${type}::${parts.slice(3).join("::")}`;
}

/**
 * Wraps the mock monitor installed by `pulumi.runtime.setMocks` so every registration's
 * dependencies land in `into`, keyed by `type::name`. Call after setMocks.
 */
export function recordRegistrations(into: Map<string, Registration>): void {
  // the monitor lives in the SDK's runtime store; there is no public accessor for it
  const state = require("@pulumi/pulumi/runtime/state") as { getStore(): { settings: { monitor?: MonitorLike } } };
  const monitor = state.getStore().settings.monitor;
  if (!monitor) throw new Error("offline plan: no mock monitor installed (call setMocks first)");
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    const parent = req.getParent();
    const deps = new Set(req.getDependenciesList().map(typeAndName));
    // a custom parent is created first too; a component parent calls no API
    const parentType = parent ? typeAndName(parent).split("::")[0] : "";
    if (parentType && !parentType.startsWith("resilient-feed:") && parentType !== "pulumi:pulumi:Stack") deps.add(typeAndName(parent));
    const aliases = req.getAliasesList().map((a) => {
      const spec = a.getSpec();
      return spec ? `${spec.getType() || req.getType()}::${spec.getName() || req.getName()}` : typeAndName(a.getUrn());
    });
    const parentKey = parent && parentType !== "pulumi:pulumi:Stack" ? typeAndName(parent) : "";
    into.set(`${req.getType()}::${req.getName()}`, { dependencies: [...deps].sort(), deleteBeforeReplace: req.getDeletebeforereplace(), aliases, parent: parentKey });
    return original(req, callback);
  };
}
