import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";

// Real URNs and aliases under Pulumi mocks.
//
// The mock monitor keeps only the last parent type in a child's URN, while the engine keeps the
// whole chain (Deployment$Site$ApiService$aws:lb/...). Moving a resource under another component
// changes that chain, so a URN test needs the engine's form. While installed, this recorder makes
// the mock monitor build full URNs and keeps, for every registered resource, the alias URNs the
// engine would match against the old state (its own alias specs, collapsed the way the engine does,
// multiplied by its parent's aliases).

export interface RegisteredUrn {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent?: string;
  /** every URN the engine would also accept as this resource's previous identity */
  readonly aliases: readonly string[];
}

interface AliasSpec { urn?: string; name: string; type: string; stack: string; project: string; parentUrn: string; noParent: boolean }

/** The qualified type (parent chain + type) of a URN, e.g. "a:b:C$aws:s3/bucket:Bucket". */
const qualifiedType = (urn: string): string => urn.split("::")[2];
const urnName = (urn: string): string => urn.split("::").slice(3).join("::");
const urnStack = (urn: string): string => urn.split("::")[0].slice("urn:pulumi:".length);
const urnProject = (urn: string): string => urn.split("::")[1];

function makeUrn(stack: string, project: string, parent: string | undefined, type: string, name: string): string {
  const qualified = parent ? `${qualifiedType(parent)}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

export class UrnRecorder {
  readonly registered: RegisteredUrn[] = [];
  private readonly aliasesByUrn = new Map<string, string[]>();
  private restore: (() => void) | undefined;

  install(): this {
    const proto = MockMonitor.prototype as any;
    const originalNewUrn = proto.newUrn;
    const originalRegister = proto.registerResource;
    const recorder = this;
    proto.newUrn = function (this: any, parent: string, type: string, name: string): string {
      const urn = originalNewUrn.call(this, undefined, type, name) as string;
      return parent ? makeUrn(urnStack(urn), urnProject(urn), parent, type, name) : urn;
    };
    proto.registerResource = function (this: any, req: any, callback: (err: unknown, resp: any) => void): Promise<void> {
      return originalRegister.call(this, req, (err: unknown, resp: any) => {
        if (!err) recorder.add(resp.getUrn(), req);
        callback(err, resp);
      });
    };
    this.restore = () => {
      proto.newUrn = originalNewUrn;
      proto.registerResource = originalRegister;
    };
    return this;
  }

  uninstall(): void {
    this.restore?.();
    this.restore = undefined;
  }

  clear(): void {
    this.registered.length = 0;
    this.aliasesByUrn.clear();
  }

  private add(urn: string, req: any): void {
    const type: string = req.getType();
    const name: string = req.getName();
    const parent: string = req.getParent();
    const specs: AliasSpec[] = req.getAliasesList().map((a: any): AliasSpec => {
      if (!a.hasSpec()) return { urn: a.getUrn(), name: "", type: "", stack: "", project: "", parentUrn: "", noParent: false };
      const s = a.getSpec();
      return { name: s.getName(), type: s.getType(), stack: s.getStack(), project: s.getProject(), parentUrn: s.getParenturn(), noParent: s.getNoparent() };
    });
    const own = specs.map((s) => s.urn ?? makeUrn(s.stack || urnStack(urn), s.project || urnProject(urn), s.noParent ? undefined : (s.parentUrn || parent || undefined), s.type || type, s.name || name));
    const aliases = new Set(own);
    // the engine multiplies the parent's aliases into the child's (name prefix follows the parent)
    const parentName = parent ? urnName(parent) : "";
    for (const parentAlias of parent ? this.aliasesByUrn.get(parent) ?? [] : []) {
      for (const [childType, childName] of [[type, name], ...own.map((u) => [qualifiedType(u).split("$").pop()!, urnName(u)])]) {
        const aliasName = childName.startsWith(parentName) ? urnName(parentAlias) + childName.slice(parentName.length) : childName;
        aliases.add(makeUrn(urnStack(parentAlias), urnProject(parentAlias), parentAlias, childType, aliasName));
      }
    }
    aliases.delete(urn);
    this.aliasesByUrn.set(urn, [...aliases]);
    this.registered.push({ urn, type, name, parent: parent || undefined, aliases: [...aliases] });
  }
}
