import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { nodeIdScript, vpcNodeIdMask } from "../../infra/digitalocean/node-id";

// NODE_ID on a droplet is its private IPv4 offset in the VPC, read from the metadata service;
// the script runs against a fake metadata service (METADATA_URL).

describe("digitalocean: NODE_ID from the private IPv4 offset", () => {
  it("the mask fits the 14 node bits for a /18 and is refused for a larger VPC", () => {
    assert.equal(vpcNodeIdMask("10.30.0.0/18"), 16383);
    assert.equal(vpcNodeIdMask("10.30.0.0/20"), 4095);
    assert.throws(() => vpcNodeIdMask("10.30.0.0/16"), /has 16 host bits; node ids have 14/);
  });

  it("prints the offset of the droplet's private address inside the VPC", async () => {
    const script = nodeIdScript("10.30.0.0/18");
    const out = await new Promise<string>((resolve, reject) => {
      const server = http.createServer((req, res) => (req.url === "/metadata/v1/interfaces/private/0/ipv4/address" ? res.end("10.30.12.34") : res.writeHead(404).end()));
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo;
        execFile("bash", ["-c", script], { env: { ...process.env, METADATA_URL: `http://127.0.0.1:${port}/metadata/v1` } }, (err: Error | null, stdout: string) => {
          server.close();
          if (err) reject(err);
          else resolve(stdout);
        });
      });
    });
    assert.equal(out.trim(), `NODE_ID=${12 * 256 + 34}`);
  });
});
