// The app's own database user: what it may do, as SQL. Pure (no Pulumi, no AWS): the provisioning
// Lambda runs these statements as the master user, and a test runs them against MariaDB.
//
// The app needs rows (SELECT/INSERT/UPDATE/DELETE) and, because it runs its migrations at boot
// (MIGRATE_ON_START), the DDL they use (CREATE, ALTER, INDEX, REFERENCES), on its schema only.
// No DROP, no GRANT OPTION, no access to other schemas. REPLICATION CLIENT (global: MySQL has no
// narrower scope for it) lets the app read its replica's lag (SHOW REPLICA STATUS).

export const APP_DB_USERNAME = "feedapp";
export const APP_SCHEMA_PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "INDEX", "REFERENCES"] as const;
export const APP_GLOBAL_PRIVILEGES = ["REPLICATION CLIENT"] as const;
/** any host: the security groups decide who reaches the database, TLS is required per user */
export const APP_DB_HOST = "%";

export interface Statement {
  readonly sql: string;
  readonly params: readonly string[];
}

const IDENTIFIER = /^[A-Za-z0-9_]{1,64}$/;

/**
 * Idempotent statements that leave the user with exactly these grants and this password: run on
 * every change (a new password, new grants) and safe to repeat (after a failover, on the promoted
 * writer, where the user already exists through replication).
 */
export function appUserStatements(database: string, username: string, password: string): Statement[] {
  if (!IDENTIFIER.test(database)) throw new Error(`app db user: database name ${JSON.stringify(database)} is not a plain identifier`);
  if (!IDENTIFIER.test(username) || username.length > 32) throw new Error(`app db user: user name ${JSON.stringify(username)} is not a plain identifier of at most 32 characters`);
  if (password.length < 8) throw new Error("app db user: the password is shorter than 8 characters");
  const who = [username, APP_DB_HOST];
  return [
    { sql: "CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ? REQUIRE SSL", params: [...who, password] },
    // an existing user: the current password and TLS, whatever it had before
    { sql: "ALTER USER ?@? IDENTIFIED BY ? REQUIRE SSL", params: [...who, password] },
    // start from nothing, so a grant removed here is removed from the server too
    { sql: "REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@?", params: who },
    { sql: `GRANT ${APP_SCHEMA_PRIVILEGES.join(", ")} ON \`${database}\`.* TO ?@?`, params: who },
    { sql: `GRANT ${APP_GLOBAL_PRIVILEGES.join(", ")} ON *.* TO ?@?`, params: who },
  ];
}
