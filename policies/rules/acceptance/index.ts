import type { Rule } from "../common";
import { awsAlarmTopicKeyUsable } from "./alarm-topics";
import { awsCloudFrontOriginTls } from "./cloudfront-origins";
import { awsSgDescriptionCharset } from "./descriptions";
import { awsRdsEngineStandardSupport } from "./engine-support";

// "Cloud acceptance": what the cloud itself would refuse at `pulumi up`, or accept and then
// silently not do, that mocks and a preview cannot see. Mandatory in every environment.
export const cloudAcceptanceRules: Rule[] = [awsSgDescriptionCharset, awsAlarmTopicKeyUsable, awsRdsEngineStandardSupport, awsCloudFrontOriginTls];
