// Reads V8 `.cpuprofile` files (node --cpu-prof) and sums self time by package and by
// function, so a profile of every service can be read in a terminal.
import { readFileSync } from "node:fs";

/** The package a script URL belongs to: `pg`, `@apollo/gateway`, `node:internal`, or the project's file. */
export function packageOf(url) {
  if (!url) return "(native)";
  if (url.startsWith("node:")) return "node:internal";
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1];
  const project = /\/(packages\/common|gateway|subgraphs\/[^/]+)\//.exec(url);
  return project ? `project:${project[1]}` : url.replace(/^file:\/\//, "");
}

/** Now on the clock V8 stamps profile samples with (CLOCK_MONOTONIC, microseconds), as process.hrtime reads it. */
export const profileClock = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Self time (ms) per package and per function of one profile, largest first; only samples
 * taken within `window` ({ from, to } on `profileClock`) when given, so start-up and
 * seeding stay out of a load's figures.
 */
export function selfTimes(file, window = { from: -Infinity, to: Infinity }) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at >= window.from && at <= window.to) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const byPackage = new Map();
  const byFunction = new Map();
  let total = 0;
  for (const [id, ms] of self) {
    const { callFrame } = nodes.get(id);
    const name = callFrame.functionName || "(anonymous)";
    if (name === "(idle)") continue;
    total += ms;
    const pkg = ["(garbage collector)", "(program)"].includes(name) ? name : packageOf(callFrame.url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms);
    const where = `${name} ${pkg}${callFrame.url ? `:${callFrame.lineNumber + 1}` : ""}`;
    byFunction.set(where, (byFunction.get(where) ?? 0) + ms);
  }
  const sorted = (map) => [...map].sort((a, b) => b[1] - a[1]);
  return { total, byPackage: sorted(byPackage), byFunction: sorted(byFunction) };
}

/** A printable summary: the top packages and functions with their share of busy time. */
export function summary(title, { total, byPackage, byFunction }, top = 12) {
  const line = ([name, ms]) => `  ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(7)} ms  ${name}`;
  return [`${title}: ${total.toFixed(0)} ms busy`, " by package:", ...byPackage.slice(0, top).map(line), " by function:", ...byFunction.slice(0, top).map(line)].join("\n");
}
