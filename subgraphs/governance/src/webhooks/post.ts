import { request as httpRequest } from "node:http";
import type { IncomingMessage, RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import type { ResolvedAddress } from "./url-policy";
import { bareHost } from "./url-policy";

/** A receiver's answer. */
export interface PostResult {
  status: number;
}

/** A lookup that answers with the address the policy checked, so the connection goes exactly there. */
function pinnedLookup(target: ResolvedAddress): LookupFunction {
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as LookupFunction;
}

/**
 * POSTs `body` to `url`, connecting to `target` (already checked by the URL policy). Resolves
 * with the status of any answer, including errors; rejects on network failure or when the
 * answer has not come within `timeoutMs`. Redirects are not followed: a 3xx is an answer,
 * and not a 2xx. The response body is read and discarded.
 */
export function postWebhook(url: URL, target: ResolvedAddress, headers: Record<string, string>, body: string, timeoutMs: number): Promise<PostResult> {
  const options: RequestOptions = {
    method: "POST",
    hostname: bareHost(url),
    port: url.port || undefined,
    path: `${url.pathname}${url.search}`,
    headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
    lookup: pinnedLookup(target),
    signal: AbortSignal.timeout(timeoutMs),
  };
  return new Promise((resolve, reject) => {
    const onResponse = (response: IncomingMessage) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0 });
    };
    const request = url.protocol === "https:" ? httpsRequest(options, onResponse) : httpRequest(options, onResponse);
    request.on("error", (error: NodeJS.ErrnoException) => {
      reject(error.name === "AbortError" ? new Error(`no answer within ${timeoutMs} ms`) : error);
    });
    request.end(body);
  });
}
