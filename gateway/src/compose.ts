import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { parse as parseYaml } from "yaml";

/** One subgraph as rover.yaml lists it. */
export interface RoverSubgraph {
  name: string;
  routingUrl: string;
  file: string;
}

/** Reads rover's supergraph config (`federation_version`, `subgraphs.<name>.routing_url`, `schema.file`). */
export function readRoverConfig(path: string): { federationVersion: string; subgraphs: RoverSubgraph[] } {
  const config = parseYaml(readFileSync(path, "utf8")) as {
    federation_version?: string;
    subgraphs?: Record<string, { routing_url?: string; schema?: { file?: string } }>;
  };
  if (!config.federation_version || !config.subgraphs) throw new Error(`${path}: needs federation_version and subgraphs`);
  const subgraphs = Object.entries(config.subgraphs).map(([name, entry]) => {
    if (!entry.routing_url || !entry.schema?.file) throw new Error(`${path}: subgraph ${name} needs routing_url and schema.file`);
    return { name, routingUrl: entry.routing_url, file: resolve(dirname(path), entry.schema.file) };
  });
  return { federationVersion: config.federation_version, subgraphs };
}

/**
 * Composes the supergraph from exactly the SDL files rover.yaml lists. Throws with every
 * composition error when the subgraphs do not compose.
 */
export function composeFromRoverConfig(roverYamlPath: string): string {
  const { subgraphs } = readRoverConfig(roverYamlPath);
  const result = composeServices(
    subgraphs.map((subgraph) => ({ name: subgraph.name, url: subgraph.routingUrl, typeDefs: parse(readFileSync(subgraph.file, "utf8")) })),
  );
  if (result.errors) {
    throw new Error(`composition failed:\n${result.errors.map((error) => `- ${error.message}`).join("\n")}`);
  }
  return result.supergraphSdl;
}
