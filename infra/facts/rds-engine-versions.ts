// The one table of RDS engine major versions and their RDS end-of-standard-support dates (RDS
// User Guide, "Supported MySQL major versions on Amazon RDS"). After that date RDS bills the
// instance as Extended Support (or, with extended support disabled, upgrades its major version on
// its own schedule), and a new instance of that version is created straight into Extended
// Support. The config validation (infra/config), the topology (parameter-group family) and the
// pack's aws-rds-engine-standard-support rule all read this table: add a row when RDS publishes a
// new major version, never edit a date without the source. A leaf module: it imports nothing.

export interface EngineMajorVersion {
  readonly engine: "mysql";
  readonly major: string;
  /** the parameter-group family of this major version */
  readonly family: string;
  /** last day of RDS standard support (UTC, inclusive) */
  readonly standardSupportEnds: string;
}

export const RDS_ENGINE_VERSIONS: readonly EngineMajorVersion[] = [
  { engine: "mysql", major: "5.7", family: "mysql5.7", standardSupportEnds: "2024-02-29" },
  { engine: "mysql", major: "8.0", family: "mysql8.0", standardSupportEnds: "2026-07-31" },
  { engine: "mysql", major: "8.4", family: "mysql8.4", standardSupportEnds: "2029-07-31" },
];

/** "8.4.3" → "8.4"; undefined when the string is not a version. */
export function majorOf(version: string): string | undefined {
  const m = /^(\d+)\.(\d+)(\.\d+)?$/.exec(version);
  return m ? `${m[1]}.${m[2]}` : undefined;
}

export function engineMajorVersion(engine: string, version: string): EngineMajorVersion | undefined {
  const major = majorOf(version);
  return RDS_ENGINE_VERSIONS.find((v) => v.engine === engine && v.major === major);
}

/** Whether `asOf` (YYYY-MM-DD, UTC) is after the last day of standard support. */
export function pastStandardSupport(v: EngineMajorVersion, asOf: string): boolean {
  return asOf > v.standardSupportEnds;
}
