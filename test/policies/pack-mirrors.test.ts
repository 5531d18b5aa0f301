import { strict as assert } from "node:assert";
import { LIVENESS_PATH as APP_LIVENESS, READINESS_PATH as APP_READINESS } from "../../app/src/http/health";
import { MAX_NODE } from "../../app/src/ids";
import { LIVENESS_PATH, SITE_READINESS_PATH } from "../../infra/topology/health";
import { NODE_ID_BITS } from "../../infra/aws/user-data";
import { DR_MODES } from "../../infra/facts/vocabulary";
import { PROJECT_NAME } from "../../infra/names";
import { STANDBY_SHAPE } from "../../infra/facts/standby-shape";
import { PACK_NAME } from "../../policies/rules/all";
import { DEPLOYMENT, DR_MODES as PACK_DR_MODES } from "../../policies/rules/types";

// Facts written in two places on purpose, each side kept equal here: the policy pack imports from
// the program only its leaf facts (infra/facts; names.ts is not one), and the app does not import
// the infrastructure program.

describe("facts the pack and the app keep their own copy of", () => {
  it("the pack's DR modes are the program's (schema enum and DR matrix), in order", () => {
    assert.equal(PACK_DR_MODES, DR_MODES, "the pack reads the program's list (infra/facts/vocabulary.ts), not a copy");
    assert.deepEqual(Object.keys(STANDBY_SHAPE), [...DR_MODES]);
  });

  it("the pack is named after the project, and knows the Deployment marker's type token", () => {
    assert.equal(PACK_NAME, PROJECT_NAME);
    assert.equal(DEPLOYMENT, `${PROJECT_NAME}:index:Deployment`);
  });

  it("the node ids the user data hands out fit the app's id layout exactly", () => {
    assert.equal(MAX_NODE, 2 ** NODE_ID_BITS - 1);
  });

  it("the health paths the load balancers and the edge check are the paths the app serves", () => {
    assert.deepEqual([APP_LIVENESS, APP_READINESS], [LIVENESS_PATH, SITE_READINESS_PATH]);
  });
});
