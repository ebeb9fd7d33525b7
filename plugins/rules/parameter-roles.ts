// The role a parameter's record plays in a call, as its name or description says it: a move's
// `section_id` described as "Numeric id of the target section", `destination_account_id`,
// "the new room". Descriptions then speak of that record by its role alone ("sets
// course_section_id to the target", "increments the target's enrolled_count"), and of the record
// the tool's record still holds by the opposite words ("the old section's enrolled_count
// decreases"). Seat changes, room moves and transfers between parents all say it this way.
import type { Table } from "../../lib/contracts/domain-schema.ts";
import { nameWords } from "../../lib/data-pack/places.ts";
import type { Parameter } from "../../lib/service-tools/tool-text.ts";

/** Words that only say what kind of thing an id is, not a role ("numeric id of the …"). */
const NOT_ROLES = new Set("the a an of id key numeric unique internal external given existing one".split(" "));

/**
 * Words a parameter's description gives as its record's role: the word before the entity in
 * "(id of) the target section", "the new room". Empty when it says none.
 */
export function describedRoles(parameter: Pick<Parameter, "description">, table: Table): string[] {
  const entity = nameWords(table.entity.replaceAll(" ", "_")).join("[ _]");
  const text = parameter.description.toLowerCase();
  const m = new RegExp(String.raw`\b(?:the|a|an)\s+([a-z]+)\s+${entity}\b`).exec(text);
  const role = m?.[1];
  return role && !NOT_ROLES.has(role) ? [role] : [];
}

/**
 * Words for the record the tool's record holds (through a reference) when the call also names
 * another record of that table: the one it is moved away from.
 */
export const HELD_ROLES = ["old", "previous", "former", "current", "original", "source", "existing"] as const;
