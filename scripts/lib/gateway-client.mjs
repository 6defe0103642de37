// A minimal GraphQL client for scripts: posts to the gateway, throws on any error.
export async function graphql(url, token, query, variables = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors?.length) {
    const first = body.errors[0];
    const error = new Error(`${first.extensions?.code ?? "ERROR"}: ${first.message}`);
    error.code = first.extensions?.code;
    throw error;
  }
  return body.data;
}
