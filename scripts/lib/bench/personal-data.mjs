// The everyday data path as the benchmarks drive it: users seeded through the API, the whole
// personalData query, and closed-loop clients that time each call.
import { performance } from "node:perf_hooks";
import { gql } from "./postgres-process.mjs";

export const READ = `query($u: ID!) { personalData(user: $u) {
  account { userPrincipalName displayName email managementState }
  devices(first: 10) { totalCount edges { node { deviceName serialNumber operatingSystem } } }
  telemetry(first: 50) { totalCount edges { node { id kind occurredAt payload } } }
  retention { category purgeAfter } residency { region } } }`;
export const INGEST = `mutation($e: [TelemetryEventInput!]!) { ingestTelemetry(events: $e) { accepted } }`;

export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** Runs `clients` loops of `call` for `seconds`; returns the count and the sorted latencies (ms). */
export async function closedLoop(clients, seconds, call) {
  const until = Date.now() + seconds * 1000;
  const latencies = [];
  let n = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < until) {
        const started = performance.now();
        await call(n++);
        latencies.push(performance.now() - started);
      }
    }),
  );
  return { count: latencies.length, latencies: latencies.sort((a, b) => a - b) };
}

/** One telemetry event of user `userId`, the n-th of the benchmark. */
export const benchEvent = (userId, n) => ({
  userId,
  kind: ["SERVICE_LOG", "PERFORMANCE_LOG", "ERROR"][n % 3],
  occurredAt: new Date(Date.now() - (n % 86_400) * 1000).toISOString(),
  payload: { sequence: n, message: `event ${n} of the benchmark`, durationMs: n % 997 },
});

/** `count` users with 2 devices and 60 events each, written through the API; returns their ids. */
export async function seedReadUsers(gateway, admin, tenantId, count) {
  const userIds = [];
  for (let i = 0; i < count; i += 1) {
    const { createUser } = await gql(gateway, admin, `mutation($t: ID!, $n: String!, $d: String!, $m: EmailAddress) { createUser(input: { tenantId: $t, userPrincipalName: $n, displayName: $d, email: $m }) { id } }`, {
      t: tenantId,
      n: `user${i}@bench.example`,
      d: `Bench User ${i}`,
      m: `user${i}@bench.example`,
    });
    userIds.push(createUser.id);
    for (let d = 0; d < 2; d += 1) {
      await gql(gateway, admin, `mutation($u: ID!, $n: String!, $s: String!) { enrollDevice(input: { userId: $u, deviceName: $n, operatingSystem: "Windows 11", serialNumber: $s }) { id } }`, {
        u: createUser.id,
        n: `Bench User ${i}'s laptop ${d}`,
        s: `SN-${i}-${d}`,
      });
    }
  }
  for (let start = 0; start < count; start += 8) {
    const chunk = userIds.slice(start, start + 8);
    await gql(gateway, admin, INGEST, { e: chunk.flatMap((userId) => Array.from({ length: 60 }, (_, n) => benchEvent(userId, n))) });
  }
  return userIds;
}
