import { createHmac, randomBytes } from "node:crypto";

/** Header that carries the signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`, Stripe's scheme (docs/decisions/0046). */
export const SIGNATURE_HEADER = "X-DGG-Signature";
export const EVENT_HEADER = "X-DGG-Event";
export const DELIVERY_HEADER = "X-DGG-Delivery";

/**
 * A new signing secret: `whsec_` and 32 random bytes in base64url. The HMAC key is the whole
 * string as UTF-8, prefix included, as Stripe's verifiers use theirs.
 */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

/** Hex HMAC-SHA256 of `<t>.<body>` under the secret. */
export function signatureOf(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex");
}

/** The X-DGG-Signature value for `body` signed at `at` (whole seconds, as the receiver checks them). */
export function signatureHeader(secret: string, body: string, at: Date): string {
  const timestamp = Math.floor(at.getTime() / 1000);
  return `t=${timestamp},v1=${signatureOf(secret, timestamp, body)}`;
}
