import type { TestSystem } from "./system";

const FINAL = new Set(["COMPLETED", "FAILED", "DENIED", "CANCELED"]);

/**
 * Polls privacyRequest(id) through the gateway until the request is finished (COMPLETED, DENIED, CANCELED) or FAILED
 * (or `until` says so), and returns the last answer with the fields asked for.
 */
export async function waitForRequest(
  system: Pick<TestSystem, "gql">,
  token: string,
  id: string,
  fields: string,
  until: (request: Record<string, any>) => boolean = (request) => FINAL.has(request.status),
  timeoutMs = 30_000,
): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, any> | null = null;
  while (Date.now() < deadline) {
    const response = await system.gql(token, `query($id: ID!) { privacyRequest(id: $id) { status ${fields} } }`, { id });
    if (response.body.errors) throw new Error(`privacyRequest failed: ${JSON.stringify(response.body.errors)}`);
    last = response.body.data!.privacyRequest as Record<string, any>;
    if (until(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`privacy request ${id} did not get there within ${timeoutMs} ms; last seen: ${JSON.stringify(last)}`);
}
