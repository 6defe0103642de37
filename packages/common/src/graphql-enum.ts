import { registerEnumType } from "type-graphql";

/** The member values of an enum made by graphqlEnum: `export type Region = EnumValue<typeof Region>;`. */
export type EnumValue<E> = E[keyof E];

/**
 * A GraphQL string enum whose members are their own values, each written once: returns the
 * frozen object (`Region.EUROPE === "EUROPE"`, `Object.values(Region)` in member order) and
 * registers it with type-graphql under `name`, with `description` on the enum in the SDL.
 * Export a type of the same name beside it, so that `Region` also names the union of members.
 */
export function graphqlEnum<const K extends string>(name: string, members: readonly K[], description?: string): { readonly [M in K]: M } {
  const values = Object.freeze(Object.fromEntries(members.map((member) => [member, member]))) as { readonly [M in K]: M };
  registerEnumType(values, { name, description });
  return values;
}
