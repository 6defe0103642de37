/**
 * Test kit shared by every service's tests: signing keys, internal identities, a
 * throwaway store per test, and a stand-in for a neighbouring service's internal routes.
 * Unit tests stand in for neighbours; integration tests run the real ones.
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express from "express";
import type { KeyLike } from "jose";
import { importPrivateKey, importPublicKey, signClientToken, signInternalToken } from "./identity";
import type { Role, Viewer } from "./identity";
import { listen } from "./subgraph-server";
import type { SubgraphApp } from "./subgraph-server";
import { ManualClock } from "./clock";
import { StatementCounter } from "./db";
import { INTERNAL_TOKEN_HEADER } from "./identity";
import type { DatabaseConfig } from "./db";
import { Region, REGIONS } from "./enums";

export interface KeyPair {
  privateKey: KeyLike;
  publicKey: KeyLike;
  privatePem: string;
  publicPem: string;
}

export async function generateTestKeyPair(): Promise<KeyPair> {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const publicPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  return { privateKey: await importPrivateKey(privatePem), publicKey: await importPublicKey(publicPem), privatePem, publicPem };
}

/** A viewer for tests; tenant and user as the role needs them. */
export function viewer(role: Role, options: { tenantId?: string; userId?: string; subject?: string } = {}): Viewer {
  return {
    role,
    subject: options.subject ?? (role === "data-subject" ? options.userId! : `${role}:${randomUUID().slice(0, 8)}`),
    tenantId: options.tenantId ?? null,
    userId: options.userId ?? null,
  };
}

export function internalToken(keys: KeyPair, who: Viewer, now = new Date()): Promise<string> {
  return signInternalToken(who, keys.privateKey, "dgg-test", now);
}

export function clientToken(keys: KeyPair, who: Viewer, now = new Date()): Promise<string> {
  return signClientToken(who, keys.privateKey, now);
}

/** A fresh SQLite file in a temp folder, or the PostgreSQL URL a suite was given. */
export function tempSqlite(name: string): DatabaseConfig {
  return { type: "sqlite", file: join(mkdtempSync(join(tmpdir(), "dgg-")), `${name}.sqlite`) };
}

/** POSTs a GraphQL operation to a subgraph with an internal identity. */
export async function postGraphQL(
  baseUrl: string,
  token: string | null,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ status: number; body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] } }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers[INTERNAL_TOKEN_HEADER] = token;
  const response = await fetch(`${baseUrl}/graphql`, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  return { status: response.status, body: (await response.json()) as never };
}

/**
 * A stand-in for a neighbouring service's internal routes that records every call,
 * e.g. the audit service in a users unit test.
 */
export async function startFakeService(
  routes: Record<string, (body: unknown, params: Record<string, string>) => unknown>,
): Promise<{ url: string; calls: { route: string; body: unknown; token: string | undefined }[]; close(): Promise<void> }> {
  const app = express();
  app.use(express.json({ limit: "16mb" }));
  const calls: { route: string; body: unknown; token: string | undefined }[] = [];
  for (const [route, handler] of Object.entries(routes)) {
    const [method, path] = route.split(" ") as ["GET" | "POST", string];
    app[method === "GET" ? "get" : "post"](path, (req, res) => {
      calls.push({ route, body: req.body, token: req.header(INTERNAL_TOKEN_HEADER) });
      try {
        res.json(handler(req.body, req.params as Record<string, string>));
      } catch (error) {
        res.status(503).json({ error: { code: "UNAVAILABLE", message: String(error) } });
      }
    });
  }
  const server = await listen(app, 0);
  return { url: server.url, calls, close: () => server.close() };
}

/** Unit tests keep every tenant in one region; the integration suites exercise all three. */
export const TEST_REGION = Region.EUROPE;

/** Fresh SQLite files, one per region, for a data subgraph under test. */
export function tempRegionalSqlite(name: string): Record<Region, DatabaseConfig> {
  const dir = mkdtempSync(join(tmpdir(), "dgg-"));
  return Object.fromEntries(REGIONS.map((region) => [region, { type: "sqlite", file: join(dir, region, `${name}.sqlite`) }])) as Record<Region, DatabaseConfig>;
}

/** A stand-in for the storage-regions directory route: every tenant ACTIVE in TEST_REGION. */
export const fakeTenantDirectory = {
  "GET /internal/tenants/:id": (_body: unknown, params: Record<string, string>) => ({
    tenant: { id: params.id, name: "tenant", storageRegion: TEST_REGION, state: "ACTIVE", movingTo: null },
  }),
};

/** What a subgraph's test harness starts from: keys, a manual clock, a statement log and the service listening. */
export interface ServedUnderTest<S extends SubgraphApp> {
  keys: KeyPair;
  clock: ManualClock;
  counter: StatementCounter;
  service: S;
  url: string;
  /** Stops the server and the service, then the stand-ins it talked to. */
  close(): Promise<void>;
}

/**
 * Builds a service with fresh keys, a ManualClock at `start` and a statement counter (unless
 * one is given), and listens on a free port. `standIns` are closed after the service, which
 * may still call them while it stops.
 */
export async function serveUnderTest<S extends SubgraphApp>(
  options: { start: Date; counter?: StatementCounter; standIns: { close(): Promise<void> }[] },
  create: (base: { keys: KeyPair; clock: ManualClock; counter: StatementCounter }) => Promise<S>,
): Promise<ServedUnderTest<S>> {
  const keys = await generateTestKeyPair();
  const clock = new ManualClock(options.start);
  const counter = options.counter ?? new StatementCounter();
  const service = await create({ keys, clock, counter });
  const server = await listen(service.app, 0);
  return {
    keys,
    clock,
    counter,
    service,
    url: server.url,
    close: async () => {
      await server.close();
      await service.stop();
      for (const standIn of options.standIns) await standIn.close();
    },
  };
}
