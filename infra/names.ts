// Names more than one part of the program must agree on.

/** The Pulumi project (Pulumi.yaml `name`): the stack config namespace, URNs and resource names. */
export const PROJECT_NAME = "resilient-feed";

/** The CloudWatch namespace the app publishes into (through the agent) and the dashboards read. */
export const METRICS_NAMESPACE = "ResilientFeed";
