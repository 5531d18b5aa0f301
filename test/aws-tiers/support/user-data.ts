import { strict as assert } from "node:assert";
import type { Recorded } from "./harness";

/** The body of a heredoc the boot script writes to `file`. */
export function heredoc(text: string, file: string): string {
  const m = new RegExp(`cat > ${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} <<'RESILIENT_FEED_EOF'\\n([\\s\\S]*?)\\nRESILIENT_FEED_EOF`).exec(text);
  assert.ok(m, `no heredoc for ${file}`);
  return m[1];
}

/** A recorded launch template's user data, decoded. */
export const launchUserData = (r: Recorded, name: string): string =>
  Buffer.from(String(r.one("ec2/launchTemplate:LaunchTemplate", name).inputs.userData), "base64").toString("utf8");
