import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildAppBundle, type BuiltBundle } from "../../../infra/aws/app-bundle";
import { sessionSecretFor } from "../../../infra/aws/session-secret";
import { AwsSite } from "../../../infra/aws/site";
import { appUserSecretFor, deployStatic, masterSecretFor, peerAwsSites, writerFirst } from "../../../infra/program";
import type { Topology } from "../../../infra/topology/types";
import { record, setupMocks, type Recorded } from "./harness";

// Whole AWS sites under the mocks, composed the way infra/program.ts composes them (writer first,
// then the others, then the peering between them).

/**
 * A real two-file bundle, built in a temp folder that is removed at once: the sites only carry
 * its hashes and file paths (the mocks never read the files).
 */
export function tinyBundle(): BuiltBundle {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "site-app-"));
  try {
    fs.writeFileSync(path.join(dir, "server.ts"), "console.log('server');\n");
    fs.writeFileSync(path.join(dir, "worker.ts"), "console.log('worker');\n");
    return buildAppBundle({ server: path.join(dir, "server.ts"), worker: path.join(dir, "worker.ts") }, path.join(dir, "cache"));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Builds every AWS site of a Topology the way infra/program.ts orders them (writer first). */
export async function deploySites(topology: Topology, bundle: BuiltBundle): Promise<Recorded> {
  // a fresh mocks runtime per deployment: the same logical names, as in separate `pulumi up`s
  const mocks = await setupMocks();
  return record(mocks, () => {
    let writer: AwsSite | undefined;
    const built = new Map<string, AwsSite>();
    const masterSecret = masterSecretFor(topology);
    const sessionSecret = sessionSecretFor(topology);
    const appUserSecret = appUserSecretFor(topology);
    for (const site of writerFirst(topology)) {
      const s = new AwsSite(site.key, { topology, site, writer, bundle, masterSecret, sessionSecret, appUserSecret });
      if (site.key === topology.writerSite) writer = s;
      built.set(site.key, s);
    }
    peerAwsSites(topology, built);
    deployStatic(topology, built);
  });
}

