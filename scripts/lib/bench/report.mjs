// The benchmark's outputs: the JSON result as measured, and a markdown table for people.
const fmt = (value, digits = 1) => (value === null || value === undefined ? "–" : Number(value).toFixed(digits));
const pair = (stats) => `${fmt(stats.p50)} / ${fmt(stats.p99)}`;

export function markdown(result) {
  const lines = [];
  for (const run of result.runs) {
    const c = run.config;
    lines.push(
      `### ${run.engine}: ${c.expired.toLocaleString("en")} expired + ${c.live.toLocaleString("en")} live rows (${c.users} users, expired rows over ${c.expiredDays} days)`,
      "",
      "| method | purge time | rows removed | reads p50 / p99 before (ms) | reads p50 / p99 during (ms) | ingest p50 / p99 before (ms) | ingest p50 / p99 during (ms) | failed requests during |",
      "|---|---|---|---|---|---|---|---|",
    );
    for (const phase of run.phases) {
      const failed = phase.during.read.errors + phase.during.ingest.errors;
      lines.push(
        `| ${phase.method} | ${fmt(phase.purgeMs / 1000, 2)} s | ${phase.removed.toLocaleString("en")} | ${pair(phase.baseline.read)} | ${pair(phase.during.read)} (${phase.during.read.requests} req) | ${pair(phase.baseline.ingest)} | ${pair(phase.during.ingest)} (${phase.during.ingest.requests} req) | ${failed} |`,
      );
    }
    for (const phase of run.phases.filter((candidate) => candidate.cleanup)) {
      lines.push(
        "",
        `${phase.method}: the detached expired months' and days' files were dropped, paced, within ${fmt(phase.cleanupMs / 1000, 2)} s after it answered, outside any lock on the table; meanwhile reads p50 / p99 ${pair(phase.cleanup.read)} ms (${phase.cleanup.read.requests} req), ingestion ${pair(phase.cleanup.ingest)} ms (${phase.cleanup.ingest.requests} req).`,
      );
    }
    const s = run.summary;
    lines.push(
      "",
      `Service purge ${fmt(s.speedup, 0)}x faster than the plain DELETE. During the service purge, p99 / p99 without it: reads ${fmt(s.readP99Ratio, 2)}x, ingestion ${fmt(s.ingestP99Ratio, 2)}x.`,
      "",
    );
  }
  return lines.join("\n");
}
