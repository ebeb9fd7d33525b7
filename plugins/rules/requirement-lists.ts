// A description's list of what a call needs, written as statements under a heading: "Requirements:
// status "reserved"; to_be_paid_in_cents is 0 (the rental is fully paid); the customer is not
// archived." Each item states what must already hold, not what the call does: "X is V" there means
// "X must be V". Read as an effect, "the customer is not archived" would unarchive the customer.
import type { Clause } from "./clause.ts";

/** A sentence that opens with a heading for what the call needs ("Requirements:", "Requires:", "Preconditions:"). */
const HEADING = /^\s*(?:requirements|requires|preconditions|prerequisites|it requires|conditions)\s*:\s*/i;

/** Whether a sentence is such a list. */
export function isRequirementList(sentence: string): boolean {
  return HEADING.test(sentence);
}

/** Whether the clause is an item of a list of requirements (not the heading itself). */
export function inRequirementList(clause: Clause): boolean {
  return isRequirementList(clause.sentence) && !HEADING.test(`${clause.text}:`);
}

/** An item's gloss in brackets ("balance_due is 0 (the loan is settled)"): the item said again in words, no requirement of its own. */
export function isGloss(clause: Clause): boolean {
  return clause.sentence.includes(`(${clause.text}`);
}

/**
 * An item of such a list as a "must" statement: "to_be_paid_in_cents is 0" → "to_be_paid_in_cents
 * must be 0", "the customer exists and is not archived" → "the customer must not be archived". An
 * item already saying must/may/cannot is kept; one without "is"/"are" is kept as written.
 */
export function asMust(body: string): string {
  if (/\b(?:must|may|can|cannot|can't|should|has to|needs to)\b/.test(body)) return body;
  const bare = body.replace(/\bexists?\s+and\s+/, "");
  return bare.replace(
    /^(.+?)\s+(?:is|are)\s+(not\s+)?(?!\s)/,
    (_, subject: string, not: string | undefined) => `${subject} must ${not ?? ""}be `,
  );
}
