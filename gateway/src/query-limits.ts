import type { ApolloServerPlugin } from "@apollo/server";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import { getNamedType, GraphQLError, isInterfaceType, isObjectType, Kind, Lexer, Source, TokenKind, valueFromAST } from "graphql";
import type { DocumentNode, FragmentDefinitionNode, GraphQLNamedType, GraphQLSchema, SelectionSetNode, ValidationRule } from "graphql";
import type { RequestHandler } from "express";
import { findUnstorableText } from "@dgg/common";
import type { GatewayContext } from "./context";

/** The gateway's limits; every one is checked before any subgraph is called. */
export interface QueryLimits {
  /** Largest `query` string, in bytes; variables are bounded by the body limit only. */
  maxDocumentBytes: number;
  maxTokens: number;
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /**
   * graphql-armor's cost: objects 2, scalars 1, times 1.5 per level of depth, times a
   * literal `first`. One full page of 1,000 audit entries with every field costs about
   * 77,000, three pages of 1,000 about 83,000.
   */
  maxCost: number;
  /** Rows an operation may ask for in total across every `first` (defaults included). */
  maxPageRows: number;
}

export const DEFAULT_LIMITS: QueryLimits = {
  maxDocumentBytes: 32 * 1024,
  maxTokens: 1000,
  maxDepth: 10,
  maxAliases: 10,
  maxDirectives: 20,
  maxCost: 250_000,
  maxPageRows: 5000,
};

/**
 * graphql-armor's depth, alias, directive and cost limits (and, in production, no field
 * suggestions). Its token limit is not used: under Apollo Server 5 it throws while
 * parsing and the client gets HTTP 500; `tooManyTokens` below refuses with 400 instead.
 */
export function armorProtection(limits: QueryLimits, production: boolean): { plugins: ApolloServerPlugin<GatewayContext>[]; validationRules: ValidationRule[] } {
  const armor = new ApolloArmor({
    maxTokens: { enabled: false },
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: limits.maxAliases },
    maxDirectives: { n: limits.maxDirectives },
    costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true, flattenFragments: true },
    // "Did you mean …" lists field names; production does not describe its schema to strangers.
    blockFieldSuggestion: { enabled: production },
  });
  const { plugins, validationRules } = armor.protect();
  return { plugins: plugins, validationRules };
}

function rejected(message: string, status = 400): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", http: { status } } });
}

/**
 * The cost that graphql-armor cannot see: how many rows the connections will return
 * (armor multiplies a literal `first` only, so `first: $n` would pass it unpriced).
 * A field with `first` (its default when omitted, the request's variables applied) counts
 * `first` times what is selected under it; siblings add up; fragments count where they
 * are spread. Above `maxPageRows` the operation is refused.
 */
export function pageRows(
  schema: GraphQLSchema,
  document: DocumentNode,
  selectionSet: SelectionSetNode,
  parent: GraphQLNamedType,
  variables: Record<string, unknown>,
): number {
  let rows = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!isObjectType(parent) && !isInterfaceType(parent)) continue;
      const definition = parent.getFields()[selection.name.value];
      if (!definition) continue;
      const inner = selection.selectionSet ? pageRows(schema, document, selection.selectionSet, getNamedType(definition.type), variables) : 0;
      const argument = definition.args.find((arg) => arg.name === "first");
      const given = selection.arguments?.find((arg) => arg.name.value === "first");
      const first = argument ? (given ? valueFromAST(given.value, argument.type, variables) : argument.defaultValue) : undefined;
      rows += typeof first === "number" && Number.isFinite(first) ? Math.max(0, first) * Math.max(1, inner) : inner;
    } else {
      const fragment =
        selection.kind === Kind.INLINE_FRAGMENT
          ? selection
          : document.definitions.find((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
      if (!fragment) continue;
      const type = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : parent;
      if (type) rows += pageRows(schema, document, fragment.selectionSet, type, variables);
    }
  }
  return rows;
}

/** Apollo plugin applying `pageRows` (validation has already refused fragment cycles). */
export function pageBudget(maxPageRows: number): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const root = schema.getRootType(operation.operation);
          if (!root) return;
          const rows = pageRows(schema, document, operation.selectionSet, root, request.variables ?? {});
          if (rows > maxPageRows) throw rejected(`the operation asks for up to ${rows} rows across its connections; the limit is ${maxPageRows}`);
        },
      };
    },
  };
}

/** True when the document has more than `max` lexical tokens; stops lexing at the first one too many. */
export function tooManyTokens(query: string, max: number): boolean {
  const lexer = new Lexer(new Source(query));
  try {
    for (let count = 0; lexer.advance().kind !== TokenKind.EOF; count += 1) {
      if (count >= max) return true;
    }
  } catch {
    // A syntax error: the parser reports it, with its position, as BAD_USER_INPUT.
  }
  return false;
}

/**
 * Refuses, before GraphQL runs, what Apollo would otherwise answer in its own shapes:
 * batched requests (a JSON array: batching is off), documents over the size or token
 * limit, and text no store can keep.
 */
export function requestShape(limits: QueryLimits): RequestHandler {
  return (req, res, next) => {
    const refuse = (message: string, status = 400) => {
      res.status(status).json({ errors: [{ message, extensions: { code: "BAD_USER_INPUT" } }] });
    };
    if (Array.isArray(req.body)) {
      refuse(`batched requests are not accepted: send one operation per request, got a list of ${req.body.length}`);
      return;
    }
    const query = (req.body as { query?: unknown } | undefined)?.query ?? req.query.query;
    if (typeof query === "string" && Buffer.byteLength(query, "utf8") > limits.maxDocumentBytes) {
      refuse(`the query is ${Buffer.byteLength(query, "utf8")} bytes; the limit is ${limits.maxDocumentBytes}`, 413);
      return;
    }
    if (typeof query === "string" && tooManyTokens(query, limits.maxTokens)) {
      refuse(`the query has more than ${limits.maxTokens} tokens`);
      return;
    }
    // NUL and lone surrogates cannot be stored (PostgreSQL refuses NUL, UTF-8 cannot encode a lone surrogate).
    const unstorable =
      findUnstorableText(req.body as unknown, "request") ??
      // graphql-js refuses lone-surrogate escapes itself, but turns \u0000 and \u{0} into NUL.
      (typeof query === "string" && /\\u(0000|\{0+\})/.test(query) ? "query" : null);
    if (unstorable) {
      refuse(`${unstorable} contains text no store can keep as sent (NUL or a lone surrogate)`);
      return;
    }
    next();
  };
}
