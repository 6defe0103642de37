import { callInternal } from "@dgg/common";
import type { ManagementState } from "@dgg/common";

/** A user as the users subgraph's lookup reports it: enough to accept or refuse telemetry. */
export interface LookedUpUser {
  id: string;
  tenantId: string;
  managementState: ManagementState;
}

/** Ids per lookup call: keeps each request (and the users subgraph's `IN` list) bounded. */
export const LOOKUP_CHUNK = 1000;

/**
 * Asks the users subgraph (`POST /internal/users/lookup`) which of `ids` exist, forwarding
 * the caller's internal identity so the answer is limited to the caller's tenant.
 *
 * @example
 * const found = await new UserLookupClient(urls.users).lookup(ctx.token, ["4f0c..."]);
 */
export class UserLookupClient {
  constructor(private readonly usersUrl: string) {}

  async lookup(token: string, ids: readonly string[]): Promise<LookedUpUser[]> {
    const found: LookedUpUser[] = [];
    for (let start = 0; start < ids.length; start += LOOKUP_CHUNK) {
      const { users } = await callInternal<{ users: LookedUpUser[] }>(`${this.usersUrl}/internal/users/lookup`, {
        token,
        body: { ids: ids.slice(start, start + LOOKUP_CHUNK) },
      });
      found.push(...users);
    }
    return found;
  }
}
