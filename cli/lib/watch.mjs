// `dgg request watch`: follows a request to its end. On a terminal, one progress bar per
// category (records exported, then erased); otherwise one line per change, for logs and CI.
import cliProgress from "cli-progress";

const QUERY = `query($id: ID!) { privacyRequest(id: $id) { id kind status lastError progress { category exported exportComplete erased } export { counts { category records } } } }`;

/** Exit codes: 0 COMPLETED; 1 FAILED; 3 DENIED; 4 CANCELED (2 is a usage error). */
export const EXIT_CODES = { COMPLETED: 0, FAILED: 1, DENIED: 3, CANCELED: 4 };

export async function watchRequest(api, id, { intervalMs = 500, out = process.stdout } = {}) {
  const tty = Boolean(out.isTTY);
  const bars = tty ? new cliProgress.MultiBar({ format: "{category} |{bar}| {value}/{total} {stage}", hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic) : null;
  const byCategory = new Map();
  let last = "";
  for (;;) {
    const { privacyRequest: request } = await api.gql(QUERY, { id });
    if (!request) throw new Error(`privacy request ${id} not found`);
    const totals = new Map((request.export?.counts ?? []).map((count) => [count.category, count.records]));
    for (const step of request.progress) {
      const erasing = request.kind === "RESTRICT_PROCESSING" && step.exportComplete && ["ERASING", "COMPLETED"].includes(request.status);
      const value = erasing ? step.erased : step.exported;
      const total = Math.max(totals.get(step.category) ?? value, value, 1);
      const stage = erasing ? "erased" : step.exportComplete ? "exported" : "exporting";
      if (bars) {
        if (!byCategory.has(step.category)) byCategory.set(step.category, bars.create(total, value, { category: step.category.padEnd(12), stage }));
        const bar = byCategory.get(step.category);
        bar.setTotal(total);
        bar.update(value, { stage });
      }
    }
    const line = `${request.status}${request.progress.map((step) => ` ${step.category}:${step.exported}/${step.erased}`).join("")}`;
    if (!bars && line !== last) out.write(`${line}\n`);
    last = line;
    if (request.status in EXIT_CODES) {
      bars?.stop();
      if (request.status === "FAILED" && request.lastError) out.write(`failed: ${request.lastError}\n`);
      out.write(`${request.status}\n`);
      return EXIT_CODES[request.status];
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
