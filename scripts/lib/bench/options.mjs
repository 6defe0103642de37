// The benchmarks' options: environment variables named DGG_BENCH_<NAME>, so that every
// benchmark reads them the same way and its defaults stand in one table at its top.

/**
 * Each key of `defaults` read as a number from DGG_BENCH_<KEY>, or its default when unset:
 * `benchNumbers({ USERS: 100 })` is `{ USERS: Number(process.env.DGG_BENCH_USERS ?? 100) }`.
 */
export function benchNumbers(defaults, env = process.env) {
  return Object.fromEntries(Object.entries(defaults).map(([name, fallback]) => [name, Number(env[`DGG_BENCH_${name}`] ?? fallback)]));
}

/** DGG_BENCH_<NAME> as a comma-separated list, or `fallback` (the same form) when unset. */
export function benchList(name, fallback, env = process.env) {
  return (env[`DGG_BENCH_${name}`] ?? fallback).split(",");
}
