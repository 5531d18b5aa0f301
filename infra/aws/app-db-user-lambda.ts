import * as mysql from "mysql2/promise";
import { appUserStatements } from "./app-db-user-sql";

// The provisioning Lambda's code (bundled by esbuild into the function's index.js). It holds the
// master credentials only for the length of one invocation: they come in the event, never from
// the API instances. The writer requires TLS; the Lambda runtime's CA file (NODE_EXTRA_CA_CERTS)
// carries the RDS certificate authorities.

export interface ProvisionEvent {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly master: { readonly username: string; readonly password: string };
  readonly app: { readonly username: string; readonly password: string };
}

/** Runs the app-user statements on one connection as the master user. */
export async function provisionAppUser(conn: mysql.Connection, event: ProvisionEvent): Promise<number> {
  const statements = appUserStatements(event.database, event.app.username, event.app.password);
  for (const s of statements) await conn.query(s.sql, [...s.params]);
  return statements.length;
}

export async function handler(event: ProvisionEvent): Promise<{ statements: number; user: string }> {
  const conn = await mysql.createConnection({
    host: event.host,
    port: event.port,
    user: event.master.username,
    password: event.master.password,
    ssl: { rejectUnauthorized: true },
    connectTimeout: 10_000,
  });
  try {
    return { statements: await provisionAppUser(conn, event), user: event.app.username };
  } finally {
    await conn.end();
  }
}
