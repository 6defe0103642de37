/** Largest discovery or JWKS document read; real ones are a few kilobytes. */
const MAX_BYTES = 512 * 1024;
const TIMEOUT_MS = 5000;
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * An issuer's keys decide who is who, so they come over HTTPS only; plain HTTP is
 * accepted on loopback alone (tests, a sidecar IdP).
 */
export function assertSafeUrl(value: string, what: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${what} must be a URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname))) return;
  throw new Error(`${what} must use https (http only on loopback), got ${JSON.stringify(value)}`);
}

/** GETs a JSON document with a timeout and a size bound; anything else is an error naming the URL. */
export async function fetchJson(url: string, what: string): Promise<unknown> {
  const response = await fetch(url, { headers: { accept: "application/json" }, redirect: "error", signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!response.ok) throw new Error(`${what} at ${url} answered ${response.status}`);
  const text = await response.text();
  if (text.length > MAX_BYTES) throw new Error(`${what} at ${url} is larger than ${MAX_BYTES} bytes`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what} at ${url} is not JSON`);
  }
}
