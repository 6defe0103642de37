// Scenario: privacy requests as cases (access, approval, denial, cancellation, extensions, history) on the embedded default (SQLite).
import { describeCasesSuite } from "./cases-suite";

describeCasesSuite("sqlite");
