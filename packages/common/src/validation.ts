import { BadUserInputError, quote } from "./errors";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else is a client error that names the argument and the value. */
export function assertId(value: string, argument: string): string {
  if (!UUID.test(value)) {
    throw new BadUserInputError(`${argument} must be a UUID, got ${quote(value)}`, argument);
  }
  return value.toLowerCase();
}

/** A required text field: trimmed, non-empty, bounded. */
export function assertText(value: string, argument: string, maxLength: number): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) {
    throw new BadUserInputError(`${argument} must not be empty`, argument);
  }
  if (trimmed.length > maxLength) {
    throw new BadUserInputError(
      `${argument} must be at most ${maxLength} characters, got ${trimmed.length}`,
      argument,
    );
  }
  return trimmed;
}

/** Optional text: null stays null, otherwise as assertText. */
export function optionalText(value: string | null | undefined, argument: string, maxLength: number): string | null {
  if (value === null || value === undefined) return null;
  return assertText(value, argument, maxLength);
}
