// The Pulumi program: stack config → validated Topology → realizations → stack outputs.
// Config is validated before any resource is registered.
import { loadProjectConfig } from "./config/load";
import { deploy } from "./program";
import { buildTopology } from "./topology/build";
import { todayUtc } from "./clock";

export = deploy(buildTopology(loadProjectConfig(), todayUtc()));
