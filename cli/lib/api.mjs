// The public API as the CLI calls it: GraphQL at <url>/graphql with a bearer token, and the
// archive links the gateway serves. Errors come back as the API states them (code and message).

export class ApiError extends Error {
  constructor(code, message) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}

export function client({ url, token }) {
  if (!token) throw new ApiError("UNAUTHENTICATED", "no token: pass --token or set DGG_TOKEN (dgg token mints one for the embedded default)");
  const base = url.replace(/\/+$/, "").replace(/\/graphql$/, "");
  const authorization = { authorization: `Bearer ${token}` };
  return {
    base,
    async gql(query, variables = {}) {
      let response;
      try {
        response = await fetch(`${base}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...authorization }, body: JSON.stringify({ query, variables }) });
      } catch (error) {
        throw new ApiError("UNAVAILABLE", `the gateway at ${base} is unreachable (${error.cause?.code ?? error.message})`);
      }
      const body = await response.json().catch(() => null);
      const first = body?.errors?.[0];
      if (first) throw new ApiError(first.extensions?.code ?? "INTERNAL_SERVER_ERROR", first.message);
      if (!body?.data) throw new ApiError("INTERNAL_SERVER_ERROR", `the gateway answered ${response.status} without data`);
      return body.data;
    },
    /** GETs a download link (absolute URL the API issued) with the same token. */
    async download(link) {
      const response = await fetch(link, { headers: authorization });
      if (!response.ok) {
        const body = await response.json().catch(() => null);
        throw new ApiError(body?.error?.code ?? `HTTP_${response.status}`, body?.error?.message ?? response.statusText);
      }
      return response;
    },
  };
}
