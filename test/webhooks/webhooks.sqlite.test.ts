// Scenario: signed webhooks for privacy requests on the embedded default (SQLite).
import { describeWebhooksSuite } from "./webhooks-suite";

describeWebhooksSuite("sqlite");
