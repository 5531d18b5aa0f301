// What a parameter group may set for each MySQL major version. RDS refuses a parameter the
// family does not have (InvalidParameterValue at `pulumi up`), and the mysql8.4 family dropped
// variables MySQL 8.4 removed and renamed the replication ones (MySQL 8.4 Reference Manual,
// "Features Removed in MySQL 8.4"; RDS User Guide, "Inclusive language changes for RDS for MySQL
// 8.4"). Checked when the group is built, so a parameter carried over from 8.0 fails the plan.

/** Server variables the 8.4 family no longer has (removed in MySQL 8.1 to 8.4). */
export const REMOVED_IN_MYSQL_84: readonly string[] = [
  "default_authentication_plugin", // → authentication_policy
  "expire_logs_days", // → binlog_expire_logs_seconds
  "binlog_transaction_dependency_tracking",
  "log_bin_use_v1_row_events",
  "master_info_repository",
  "relay_log_info_repository",
  "transaction_write_set_extraction",
  "slave_rows_search_algorithms",
  "avoid_temporal_upgrade",
  "show_old_temporals",
  "old",
  "new",
  "have_openssl",
  "have_ssl",
];

/** Prefixes renamed in the 8.4 family (slave_* → replica_*, master_* → source_*). */
export const RENAMED_PREFIXES_MYSQL_84: ReadonlyArray<readonly [string, string]> = [["slave_", "replica_"], ["master_", "source_"]];

/** The problems with setting `names` in a group of `family`; [] when every name is valid there. */
export function incompatibleParameters(family: string, names: readonly string[]): string[] {
  if (family !== "mysql8.4") return [];
  return names.flatMap((n) => {
    if (REMOVED_IN_MYSQL_84.includes(n)) return [`${n} was removed in MySQL 8.4`];
    const renamed = RENAMED_PREFIXES_MYSQL_84.find(([from]) => n.startsWith(from));
    return renamed ? [`${n} is named ${renamed[1]}${n.slice(renamed[0].length)} in the mysql8.4 family`] : [];
  });
}
