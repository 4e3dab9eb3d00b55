/**
 * A UTF-16 half without its other half is no character. PostgreSQL (through pg) stores U+FFFD in its
 * place, so two different strings become one: a name would no longer match itself, an owner id another's.
 */
const LONE_SURROGATE = /\p{Surrogate}/u;

export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}
