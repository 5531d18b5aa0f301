import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

// Throwaway certificate authorities made with openssl for tests of TLS-only servers: a CA, and a
// server certificate it signs for 127.0.0.1 and localhost. Files live in the caller's temp dir,
// which the caller deletes.

export interface ServerCert {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** A CA named `name` and a server certificate (SAN IP:127.0.0.1, DNS:localhost) it signs, in dir. */
export function makeServerCert(dir: string, name = "ca"): ServerCert {
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  const f = (suffix: string) => `${name}-${suffix}`;
  ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f("ca.key"), "-out", f("ca.pem"), "-days", "2", "-subj", `/CN=resilient-feed test CA ${name}`);
  ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f("server.key"), "-out", f("server.csr"), "-subj", "/CN=localhost");
  fs.writeFileSync(path.join(dir, f("san.ext")), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  ssl("x509", "-req", "-in", f("server.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f("server.pem"), "-days", "2", "-extfile", f("san.ext"));
  return { caFile: path.join(dir, f("ca.pem")), certFile: path.join(dir, f("server.pem")), keyFile: path.join(dir, f("server.key")) };
}

/** mariadbd arguments for a server that accepts TLS only, with this certificate. */
export const tlsOnlyMariaDbArgs = (c: ServerCert): string[] => [`--ssl-ca=${c.caFile}`, `--ssl-cert=${c.certFile}`, `--ssl-key=${c.keyFile}`, "--require-secure-transport=ON"];
