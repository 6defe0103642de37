// Background load for the retention benchmark: personalData reads through the gateway and
// telemetry ingestion, each request timed. Closed loop (each worker waits for its answer),
// so a slow service shows up as latency, not as an ever-growing queue in this process.
import { performance } from "node:perf_hooks";

const PERSONAL_DATA = `query($user: ID!) { personalData(user: $user) {
  account { id } devices(first: 5) { totalCount } telemetry(first: 10) { totalCount edges { node { id occurredAt } } }
  auditLog(first: 5) { totalCount } retention { category purgeAfter } } }`;
const INGEST = `mutation($e: [TelemetryEventInput!]!) { ingestTelemetry(events: $e) { accepted } }`;
const KINDS = ["SERVICE_LOG", "PERFORMANCE_LOG", "ERROR"];

async function timed(url, token, query, variables) {
  const started = performance.now();
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  return { at: Date.now(), ms: performance.now() - started, ok: !body.errors, error: body.errors?.[0]?.message };
}

/**
 * Starts `readers` workers reading personalData of random users and `ingesters` workers
 * sending batches of `batch` events stamped now. `stop()` resolves to every sample:
 * { kind, at (epoch ms when answered), ms, ok, error }.
 */
export function startLoad({ gatewayUrl, adminToken, ingestToken, userIds, readers = 2, ingesters = 1, batch = 10 }) {
  const samples = [];
  let running = true;
  const pick = () => userIds[Math.floor(Math.random() * userIds.length)];
  const loop = async (kind, once) => {
    while (running) {
      try {
        samples.push({ kind, ...(await once()) });
      } catch (error) {
        samples.push({ kind, at: Date.now(), ms: 0, ok: false, error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const workers = [
    ...Array.from({ length: readers }, () => loop("read", () => timed(gatewayUrl, adminToken, PERSONAL_DATA, { user: pick() }))),
    ...Array.from({ length: ingesters }, () =>
      loop("ingest", () => {
        const now = new Date().toISOString();
        const events = Array.from({ length: batch }, (_, i) => ({ userId: pick(), kind: KINDS[i % 3], occurredAt: now, payload: { bench: i } }));
        return timed(gatewayUrl, ingestToken, INGEST, { e: events });
      }),
    ),
  ];
  return {
    samples,
    async stop() {
      running = false;
      await Promise.all(workers);
      return samples;
    },
  };
}

/** p50/p99 (nearest rank) of the samples of one kind answered inside [from, to]. */
export function summarise(samples, kind, from, to) {
  const inside = samples.filter((sample) => sample.kind === kind && sample.at >= from && sample.at <= to);
  const times = inside.filter((sample) => sample.ok).map((sample) => sample.ms).sort((a, b) => a - b);
  const rank = (p) => (times.length === 0 ? null : Number(times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)].toFixed(1)));
  return { requests: inside.length, errors: inside.length - times.length, p50: rank(50), p99: rank(99) };
}
