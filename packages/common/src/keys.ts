import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { KeyLike } from "jose";
import { importPrivateKey, importPublicKey } from "./identity";

/**
 * Key files of the embedded default. Production points the *_FILE variables at
 * mounted secrets instead; the client-token issuer key then belongs to the IdP.
 */
export interface KeyPaths {
  issuerPrivate: string;
  issuerPublic: string;
  internalPrivate: string;
  internalPublic: string;
}

export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DGG_DATA_DIR ?? join(process.cwd(), ".data");
}

export function keyPathsFromEnv(env: NodeJS.ProcessEnv = process.env): KeyPaths {
  const dir = join(dataDir(env), "keys");
  return {
    issuerPrivate: env.AUTH_ISSUER_PRIVATE_KEY_FILE ?? join(dir, "issuer-private.pem"),
    issuerPublic: env.AUTH_ISSUER_PUBLIC_KEY_FILE ?? join(dir, "issuer-public.pem"),
    internalPrivate: env.INTERNAL_PRIVATE_KEY_FILE ?? join(dir, "internal-private.pem"),
    internalPublic: env.INTERNAL_PUBLIC_KEY_FILE ?? join(dir, "internal-public.pem"),
  };
}

function writePair(privatePath: string, publicPath: string): void {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  writeFileSync(privatePath, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  writeFileSync(publicPath, publicKey.export({ type: "spki", format: "pem" }));
}

/** Creates the local signing keys once (npm start); existing keys are kept so issued tokens stay valid. */
export function ensureDevKeys(paths: KeyPaths): void {
  for (const [priv, pub] of [
    [paths.issuerPrivate, paths.issuerPublic],
    [paths.internalPrivate, paths.internalPublic],
  ] as const) {
    if (existsSync(priv) && existsSync(pub)) continue;
    mkdirSync(join(priv, ".."), { recursive: true });
    writePair(priv, pub);
  }
}

function read(path: string, what: string): string {
  if (!existsSync(path)) {
    throw new Error(`${what} not found at ${path}: run 'npm start' once, or set the variable that names it (see README)`);
  }
  return readFileSync(path, "utf8");
}

export const loadPublicKey = (path: string, what: string): Promise<KeyLike> => importPublicKey(read(path, what));
export const loadPrivateKey = (path: string, what: string): Promise<KeyLike> => importPrivateKey(read(path, what));
