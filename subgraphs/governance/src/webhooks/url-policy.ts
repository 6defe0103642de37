import { lookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";

/** One address a host name resolves to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (the operating system's resolver, /etc/hosts included). */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));

export interface UrlPolicy {
  /**
   * Production: https only, and only to public unicast addresses. Otherwise https anywhere,
   * and plain http to loopback, for receivers on a developer's machine and in tests.
   */
  production: boolean;
  resolve: Resolver;
}

/** A URL the policy refuses; the message says what is wrong with it, for the client or the delivery's lastError. */
export class UrlPolicyError extends Error {
  constructor(
    message: string,
    /** A resolver that failed for a reason other than "no such name": worth trying again later. */
    readonly transient = false,
  ) {
    super(message);
  }
}

/** "carrierGradeNat" → "carrier-grade NAT": ipaddr.js's range names, as a message says them. */
const RANGE_WORDS: Record<string, string> = {
  unspecified: "unspecified",
  broadcast: "broadcast",
  multicast: "multicast",
  linkLocal: "link-local",
  loopback: "loopback",
  carrierGradeNat: "carrier-grade NAT",
  private: "private (RFC 1918)",
  uniqueLocal: "unique-local (fc00::/7)",
  reserved: "reserved",
};

/** The address's range as ipaddr.js classifies it; IPv4-mapped IPv6 addresses count as their IPv4 address. */
function rangeOf(address: string): string {
  return ipaddr.process(address).range();
}

/**
 * Why the policy refuses to send to `address` over `protocol`, or null when it may.
 * Only ipaddr.js's "unicast" (no special-purpose range of either family) is public; address
 * formats that embed an IPv4 address (6to4, Teredo, NAT64) are refused with the rest.
 */
export function addressRefusal(address: string, protocol: string, policy: Pick<UrlPolicy, "production">): string | null {
  const range = rangeOf(address);
  if (protocol === "http:") {
    if (policy.production) return "plain http is refused in production; use https";
    return range === "loopback" ? null : `plain http is allowed to loopback addresses only, and ${address} is ${RANGE_WORDS[range] ?? range}`;
  }
  if (!policy.production || range === "unicast") return null;
  return `${address} is a ${RANGE_WORDS[range] ?? range} address; webhooks are delivered to public addresses only`;
}

/**
 * The URL's syntax: absolute, https (or http, which addressRefusal then limits to loopback),
 * no credentials, no fragment. Throws UrlPolicyError saying what is wrong.
 */
export function parseWebhookUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UrlPolicyError(`is not an absolute URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new UrlPolicyError(`must use https, got ${url.protocol.replace(/:$/, "")}`);
  // Credentials in a URL end up in logs and listings; the signature is how a receiver knows the sender.
  if (url.username || url.password) throw new UrlPolicyError("must not carry credentials (user:password@)");
  if (url.hash) throw new UrlPolicyError("must not have a fragment (#...)");
  return url;
}

/** The host without the brackets of an IPv6 literal. */
export function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

/**
 * Resolves the URL's host and checks every address it has against the policy; returns the
 * address to connect to. Called at creation and again before every delivery, and the
 * delivery connects to exactly the address checked, so a name that is made to point
 * elsewhere afterwards (DNS rebinding) is caught at the next attempt.
 */
export async function resolveWebhookTarget(url: URL, policy: UrlPolicy): Promise<ResolvedAddress> {
  const host = bareHost(url);
  let addresses: ResolvedAddress[];
  if (ipaddr.isValid(host)) {
    addresses = [{ address: host, family: host.includes(":") ? 6 : 4 }];
  } else {
    try {
      addresses = await policy.resolve(host);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UrlPolicyError(`host ${host} does not resolve (${code ?? String(error)})`, code !== "ENOTFOUND" && code !== "ENODATA");
    }
    if (addresses.length === 0) throw new UrlPolicyError(`host ${host} does not resolve to any address`);
  }
  for (const { address } of addresses) {
    const refusal = addressRefusal(address, url.protocol, policy);
    if (refusal) throw new UrlPolicyError(host === address ? refusal : `host ${host} resolves to ${address}: ${refusal}`);
  }
  return addresses[0]!;
}
