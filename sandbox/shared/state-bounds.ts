// How deep and how large a value the sandbox keeps or returns: bounds real data never reaches,
// which keep every state and result within what each side can parse, hash and send.

/**
 * Most levels of nesting in a state as a whole (the database object is level 1, a table level 2,
 * a record level 3) and in a result. JSON data from real services nests a dozen levels at most.
 */
export const MAX_DEPTH = 64;

/**
 * Most characters of JSON a state may take as a whole: a quarter of the isolate's memory limit
 * (16 MiB at the default 64 MB), since a state is held at least twice in the heap while it is
 * parsed, copied or exported.
 */
export function maxStateChars(memoryMb: number): number {
  return Math.floor((memoryMb * 1024 * 1024) / 4);
}
