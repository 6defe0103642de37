// Scenario: the privacy guarantees under concurrent use (device traffic, late holds, late audit entries), on SQLite (the embedded default).
import { describeGuaranteesSuite } from "./guarantees-suite";

describeGuaranteesSuite("sqlite");
