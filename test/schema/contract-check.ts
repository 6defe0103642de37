import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, isUnionType } from "graphql";
import type { GraphQLNamedType, GraphQLSchema } from "graphql";

const kindOf = (type: GraphQLNamedType): string => type.constructor.name;

/**
 * Lists everything in `contract` that `served` lacks or types differently: types, kinds,
 * fields and their types, arguments and their types, input fields, enum values, union
 * members. An empty list means clients written against the contract keep working.
 */
export function contractViolations(contract: GraphQLSchema, served: GraphQLSchema): string[] {
  const problems: string[] = [];
  for (const [name, expected] of Object.entries(contract.getTypeMap())) {
    if (name.startsWith("__")) continue;
    const actual = served.getType(name);
    if (!actual) {
      problems.push(`type ${name} is missing`);
      continue;
    }
    if (kindOf(actual) !== kindOf(expected)) {
      problems.push(`type ${name} is a ${kindOf(actual)}, contract says ${kindOf(expected)}`);
      continue;
    }
    if (isEnumType(expected) && isEnumType(actual)) {
      const values = new Set(actual.getValues().map((value) => value.name));
      for (const value of expected.getValues()) if (!values.has(value.name)) problems.push(`enum ${name} lacks ${value.name}`);
    }
    if (isUnionType(expected) && isUnionType(actual)) {
      const members = new Set(actual.getTypes().map((member) => member.name));
      for (const member of expected.getTypes()) if (!members.has(member.name)) problems.push(`union ${name} lacks ${member.name}`);
    }
    if ((isObjectType(expected) || isInterfaceType(expected)) && (isObjectType(actual) || isInterfaceType(actual))) {
      const fields = actual.getFields();
      for (const field of Object.values(expected.getFields())) {
        const servedField = fields[field.name];
        if (!servedField) {
          problems.push(`${name}.${field.name} is missing`);
          continue;
        }
        if (String(servedField.type) !== String(field.type)) problems.push(`${name}.${field.name} is ${String(servedField.type)}, contract says ${String(field.type)}`);
        for (const arg of field.args) {
          const servedArg = servedField.args.find((candidate) => candidate.name === arg.name);
          if (!servedArg) problems.push(`${name}.${field.name}(${arg.name}) is missing`);
          else if (String(servedArg.type) !== String(arg.type)) problems.push(`${name}.${field.name}(${arg.name}) is ${String(servedArg.type)}, contract says ${String(arg.type)}`);
          else if (JSON.stringify(servedArg.defaultValue) !== JSON.stringify(arg.defaultValue)) problems.push(`${name}.${field.name}(${arg.name}) defaults to ${JSON.stringify(servedArg.defaultValue)}, contract says ${JSON.stringify(arg.defaultValue)}`);
        }
      }
    }
    if (isInputObjectType(expected) && isInputObjectType(actual)) {
      const fields = actual.getFields();
      for (const field of Object.values(expected.getFields())) {
        const servedField = fields[field.name];
        if (!servedField) problems.push(`input ${name}.${field.name} is missing`);
        else if (String(servedField.type) !== String(field.type)) problems.push(`input ${name}.${field.name} is ${String(servedField.type)}, contract says ${String(field.type)}`);
      }
    }
  }
  return problems;
}
