// A service tool's rules, derived offline and deterministically from everything the input says:
// its name, description and parameters, the policy, the data's own examples, the tables read off
// the data (the schema). The tool's subject (what it is about) comes first; then requirements,
// effects and what a create makes, each rule tagged with its source.

import { type DomainRules, domainRulesSchema } from "../../lib/contracts/domain-rules.ts";
import type { Field, Table } from "../../lib/contracts/domain-schema.ts";
import type { DomainState } from "../../lib/contracts/domain-state.ts";
import type { Requirement, Rule, ServiceModel } from "../../lib/contracts/tool-rules.ts";
import type { ToolSpec } from "../../lib/contracts/tool-spec.ts";
import { leaves, nameWords } from "../../lib/data-pack/places.ts";
import { singular } from "../../lib/domain-model/words.ts";
import { clockOf } from "../../lib/service-tools/clock.ts";
import {
  bareServiceModel,
  digestField,
  keyTable,
  mappingFields,
  objectWords,
  returnsOf,
  subjectOf,
} from "../../lib/service-tools/subject.ts";
import { serviceToolModel } from "../../lib/service-tools/tool-model.ts";
import { sentencesOf, toolText, writtenSentencesOf } from "../../lib/service-tools/tool-text.ts";
import { attachedReferences } from "./attached-references.ts";
import { blockingRecords, singleRecords } from "./blocking-records.ts";
import { changeStamps, createdContainerStamps } from "./change-stamps.ts";
import { chargedRecords } from "./charged-records.ts";
import { chargedSums } from "./charged-sums.ts";
import { chosenSources } from "./chosen-sources.ts";
import { here, RuleContext } from "./context.ts";
import { countedCodes } from "./counted-codes.ts";
import { deriveCreation } from "./creation.ts";
import { dailyEntries } from "./daily-entries.ts";
import { parameterDefaults } from "./defaults.ts";
import { echoedFields } from "./echoed-fields.ts";
import { entryFieldsSet } from "./entry-fields.ts";
import { fieldMasks } from "./field-masks.ts";
import { flagFields } from "./flag-fields.ts";
import { flagPairs } from "./flag-pairs.ts";
import { flagRefusals, flagsAskedOfSome, refusedFlagArguments } from "./flag-refusals.ts";
import { flagAlreadySet } from "./flags.ts";
import { withFollowers } from "./following-balances.ts";
import { givenEntries } from "./given-entries.ts";
import { heldFunds } from "./held-funds.ts";
import { completeHistory } from "./history.ts";
import { linkInserted } from "./inserted-keys.ts";
import { keepJoinedFields } from "./joined-fields.ts";
import { keepCounts } from "./kept-counts.ts";
import { keyAliases } from "./key-aliases.ts";
import { keyedBalances } from "./keyed-balances.ts";
import { kindBalances } from "./kind-balances.ts";
import { laterTimes } from "./later-times.ts";
import { keepListTotals } from "./list-totals.ts";
import { listedMoves } from "./listed-moves.ts";
import { listedRefusals } from "./listed-refusals.ts";
import { keepTotals } from "./mirrored-totals.ts";
import { missingRefusals, requiredChildren } from "./missing-refusals.ts";
import { movingFlag } from "./moving-flag.ts";
import { namedRecords } from "./named-records.ts";
import { nestedRecords } from "./nested-records.ts";
import { nestingDepth } from "./nesting-depth.ts";
import { othersRecords } from "./others-records.ts";
import { ownRecords } from "./own-records.ts";
import { pairedPostings } from "./paired-postings.ts";
import { dataPass } from "./passes/data.ts";
import { descriptionPass } from "./passes/description.ts";
import { namePass } from "./passes/name.ts";
import { policyPass } from "./passes/policy.ts";
import { schemaEffects, schemaRequirements } from "./passes/schema.ts";
import { pickedEntries } from "./picked-entries.ts";
import { policyFees } from "./policy-fees.ts";
import { qualifiedReferences } from "./qualified-references.ts";
import { readOnlyRefusals } from "./read-only.ts";
import { receivedLists } from "./received-lists.ts";
import { refundedEntries } from "./refunded-entries.ts";
import { refusedCases } from "./refused-cases.ts";
import { relatedCounts } from "./related-counts.ts";
import { releasedCounts } from "./released-counts.ts";
import { releasedHolds } from "./released-holds.ts";
import { remainderDefaults } from "./remainder-defaults.ts";
import { roleRecords } from "./role-records.ts";
import { signedInFlag, signInAndOut } from "./session-flag.ts";
import { signedInPersonRefusals, signedInSession } from "./session-user.ts";
import { signIn } from "./sign-in.ts";
import { slotChoices } from "./slot-choices.ts";
import { stateTimes } from "./state-times.ts";
import { statedNewKey } from "./stated-keys.ts";
import { targetStatus } from "./statuses.ts";
import { textCounters } from "./text-counters.ts";
import { uniqueValues } from "./unique-values.ts";
import { unitRecords } from "./unit-records.ts";
import { upserts } from "./upserts.ts";
import { useCounters } from "./use-counters.ts";
import { flagBranches, valueBranches } from "./value-branches.ts";
import { workedAmounts } from "./worked-amounts.ts";
import { wrappedRecords } from "./wrapped-records.ts";

/** A service domain's rules: every tool's, on the tables read off its data, with the clock its policy sets. */
export function deriveRules(
  domain: string,
  specs: readonly ToolSpec[],
  tables: readonly Table[],
  data: DomainState,
  policyText: string | null,
): DomainRules {
  const policy = policyText ? writtenSentencesOf(policyText) : [];
  const clock = policyText ? clockOf(policyText) : null;
  const problems: DomainRules["problems"] = [];
  const tools = specs.map((spec) => {
    const parameters = toolText(spec, []).parameters;
    try {
      return serviceToolModel(spec.name, parameters, deriveServiceModel(spec, tables, data, policy, specs), tables, true);
    } catch (error) {
      // A defect of derivation on one tool's words costs that tool its rules, not the run: it keeps
      // what it is about (its record, read or write) and the problem is reported with the rules.
      problems.push({ tool: spec.name, problem: error instanceof Error ? error.message : String(error) });
      const bare = bareServiceModel(subjectOf(toolText(spec, policy), tables), spec);
      return serviceToolModel(spec.name, parameters, bare, tables, true);
    }
  });
  return domainRulesSchema.parse({ domain, ...(clock ? { clock } : {}), tools, ...(problems.length > 0 ? { problems } : {}) });
}

/**
 * A change's rules, source by source: the state it leads to; what the tables say it needs; slots it
 * takes; the state set and what the data shows moves with it; then its name, its description and
 * the policy; the fields its parameters set; slots it gives back. An earlier source's effect on a
 * place is not overridden by a later one's.
 */
function changeRules(c: RuleContext, siblings: readonly ToolSpec[]): void {
  const target = c.target as Table;
  const to = targetStatus(c);
  schemaRequirements(c);
  const status = target.status;
  const data = dataPass(c, to?.value ?? null, null);
  if (to && status)
    c.effect(
      { kind: "set", place: here([status.field]), value: { kind: "constant", value: to.value } },
      to.source,
      `the ${target.entity} becomes ${to.value} (${to.text})`,
    );
  namePass(c, to?.value ?? null);
  descriptionPass(c, to?.value ?? null);
  receivedLists(c);
  pickedEntries(c);
  refundedEntries(c);
  slotChoices(c);
  listedRefusals(c);
  countedCodes(c);
  chargedSums(c);
  workedAmounts(c);
  singleRecords(c);
  kindBalances(c);
  ownRecords(c);
  signIn(c);
  signInAndOut(c);
  laterTimes(c);
  textCounters(c);
  keyedBalances(c);
  relatedCounts(c);
  releasedCounts(c);
  listedMoves(c);
  blockingRecords(c);
  chosenSources(c);
  namedRecords(c);
  roleRecords(c);
  movingFlag(c, siblings);
  policyPass(c, to?.value ?? null);
  // "refuses a campaign with no subject line, …, or zero recipients": what the record must hold.
  missingRefusals(c);
  requiredChildren(c);
  flagAlreadySet(c);
  unsaidState(c, to);
  resolveContradictions(c);
  const allowed = allowedStates(c);
  // Nothing says which states qualify: at least a record already in the state the tool leads to is
  // refused (a cancelled reservation is not cancelled, and refunded, again).
  if (!allowed && to && status?.values.includes(to.value)) {
    const rest = status.values.filter((v) => v !== to.value);
    if (rest.length > 0)
      c.require(
        { kind: "status-in", place: here([status.field]), values: rest.sort() },
        "name",
        `only a ${target.entity} that is ${rest.join(" or ")} (${c.text.name} leads to ${to.value}: a ${target.entity} already ${to.value} is refused)`,
      );
  }
  valueBranches(c);
  entryFieldsSet(c);
  // The time a record holds only in the state the call puts it in (a scheduled send time).
  stateTimes(c, to?.value ?? null);
  // Fields a record holds only while a flag the call sets is on (a cancellation's time and details).
  flagFields(c);
  data.transitions(allowed);
  flagBranches(c);
  fieldMasks(c);
  schemaEffects(c);
  data.after();
  completeHistory(c);
  dailyEntries(c);
  keepListTotals(c);
  keepTotals(c);
  keepJoinedFields(c);
  changeStamps(c);
}

/**
 * A state made up from the tool's verb (refund → REFUNDED), which neither the data nor any text
 * shows, is dropped where the description lists the call's effects on the record itself without it
 * (two of them, or one when the name's object is another thing than the record): the service says
 * what changes, and its status is not among it.
 */
function unsaidState(c: RuleContext, to: ReturnType<typeof targetStatus>): void {
  const status = c.target?.status;
  if (!to || !status || to.source !== "name" || status.values.includes(to.value)) return;
  const said = c.effects.filter((r) => r.source === "description" && "place" in r.rule && r.rule.place.hops.length === 0);
  // The name's object is another thing than the record (refund_folio_payment: a payment of the folio):
  // the verb's state is that thing's, not the record's, once the description says what changes.
  const object = objectWords(c.text.words).at(-1);
  const entity = c.target?.entity.split(" ").at(-1);
  const elsewhere = object !== undefined && entity !== undefined && singular(object) !== singular(entity);
  if (said.length < (elsewhere ? 1 : 2)) return;
  const made = c.effects.findIndex((r) => r.source === "name" && r.rule.kind === "set" && r.rule.place.path.join(".") === status.field);
  if (made >= 0) c.effects.splice(made, 1);
}

/** Which source speaks of the tool most closely: its own description, then the data's and the schema's facts, its name, the policy. */
const CLOSENESS = ["user", "description", "data", "schema", "name", "policy"];

/**
 * Texts that contradict each other on the states a record may be in (the description: "reserve a new
 * or concept order"; a policy sentence read as "only started or stopped orders") leave no call
 * possible: the source further from the tool gives way, until some state is allowed.
 */
function resolveContradictions(c: RuleContext): void {
  const unconditional = (r: (typeof c.requires)[number]) => r.rule.kind === "status-in" && r.rule.place.hops.length === 0 && !r.when;
  while ((allowedStates(c, unconditional) ?? ["any"]).length === 0) {
    const furthest = c.requires.filter(unconditional).reduce((a, b) => (CLOSENESS.indexOf(b.source) > CLOSENESS.indexOf(a.source) ? b : a));
    c.requires.splice(c.requires.indexOf(furthest), 1);
  }
}

/** The states every `status-in` requirement on the record itself allows, or null when none limits them. */
function allowedStates(c: RuleContext, counts: (r: RuleContext["requires"][number]) => boolean = () => true): string[] | null {
  const lists = c.requires
    .filter(counts)
    .map((r) => r.rule)
    .filter((r): r is Extract<Requirement, { kind: "status-in" }> => r.kind === "status-in" && r.place.hops.length === 0);
  if (lists.length === 0) return null;
  return lists.reduce<string[]>((acc, r) => acc.filter((v) => r.values.includes(v)), lists[0]?.values ?? []);
}

/**
 * A counter a key is taken from moves on by itself: the clause that says so ("which is then
 * incremented") is no second step.
 */
function withoutCounterSteps(effects: Rule[], newKey: ServiceModel["newKey"]): Rule[] {
  const counters = new Set<string>();
  const visit = (value: unknown) => {
    if (!value || typeof value !== "object") return;
    const v = value as Record<string, unknown>;
    if (v.kind === "next" && v.counter) counters.add(JSON.stringify(v.counter));
    if (v.counter && v.prefix !== undefined && "sequential" in v) counters.add(JSON.stringify(v.counter));
    for (const item of Object.values(v)) visit(item);
  };
  visit(effects);
  if (newKey?.counter) counters.add(JSON.stringify(newKey.counter));
  return effects.filter((r) => !(r.rule.kind === "add" && counters.has(JSON.stringify(r.rule.place))));
}

/**
 * One tool's service model: its subject, how it selects records, what it requires and changes, what
 * it answers. `siblings`: the service's other tools, whose words a tool's own may point to ("as in
 * transfer_playback").
 */
export function deriveServiceModel(
  spec: ToolSpec,
  tables: readonly Table[],
  data: DomainState,
  policy: readonly string[],
  siblings: readonly ToolSpec[] = [],
): ServiceModel {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const text = toolText(spec, policy);
  const subject = subjectOf(text, tables);
  const c = new RuleContext(text, subject, byName, data);
  const service: ServiceModel = {
    kind: subject.kind,
    ...(subject.utility ? { utility: subject.utility } : {}),
    ...(subject.table ? { table: subject.table.name } : {}),
    ...(subject.keyParameter ? { keyParameter: subject.keyParameter } : {}),
    ...(subject.entry ? { entry: subject.entry } : {}),
    match: [],
    returns: "record",
    requires: [],
    effects: [],
  };
  // A record no key names, not the one record of its collection: found by the fields the call gives.
  if (subject.kind === "get" && !subject.keyParameter && subject.table?.storage !== "single")
    service.match = matches(text.parameters, subject.table, tables).filter((m) => m.mode !== "text");
  if (subject.kind === "change" && !subject.keyParameter && subject.table?.storage !== "single")
    service.match = matches(text.parameters, subject.table, tables).filter(
      (m) =>
        m.mode === "equal" &&
        m.path.length === 1 &&
        (keyTable(text.parameters.find((p) => p.name === m.parameter) ?? { name: m.parameter, type: "string" }, tables) !== undefined ||
          subject.table?.fields.some((f) => f.name === m.parameter && f.references)),
    );
  // A record named by a digest of its own text (a subscriber hash): by the digest, or by the text itself.
  if ((subject.kind === "change" || subject.kind === "get") && !subject.keyParameter && subject.table && subject.table.storage !== "single")
    for (const p of text.parameters) {
      const field = digestField(p, subject.table);
      const source = subject.table.fields.find((f) => f.name === field)?.digestOf?.field;
      if (!field || !source || service.match.some((m) => m.parameter === p.name)) continue;
      service.match.push({ parameter: p.name, path: [field], mode: "equal", or: [source] });
    }
  // A reference the call gives under a role of its own (`from_location_id` for a level's
  // `location_id`): the first parameter naming that table, when none is named as the field.
  if (subject.kind === "change" && !subject.keyParameter && subject.table && subject.table.storage !== "single")
    for (const f of subject.table.fields) {
      if (!f.references || service.match.some((m) => m.path[0] === f.name)) continue;
      const role = text.parameters.find(
        (p) => !service.match.some((m) => m.parameter === p.name) && keyTable(p, tables)?.name === f.references,
      );
      if (role) service.match.push({ parameter: role.name, path: [f.name], mode: "equal" });
    }
  // A get whose key is optional (`retrieve_gift_card(gift_card_id?, gan?)`): the record whose fields equal whichever are given.
  if (subject.kind === "get" && subject.keyParameter && subject.table && c.parameter(subject.keyParameter)?.required === false) {
    const key = subject.table.key;
    service.match = [
      { parameter: subject.keyParameter, path: [key], mode: "equal" },
      ...matches(text.parameters, subject.table, tables).filter((m) => m.mode === "equal" && m.parameter !== subject.keyParameter),
    ];
    delete service.keyParameter;
  }
  const alternate = subject.keyParameter && subject.table ? alternateKey(subject.keyParameter, subject.table) : null;
  if (alternate && (subject.kind === "get" || subject.kind === "change") && service.keyParameter)
    service.match = [{ parameter: service.keyParameter, path: [alternate], mode: "equal" }, ...service.match];
  for (const m of service.match) c.identifying.add(m.parameter);
  if (subject.kind === "change") changeRules(c, siblings);
  else if (subject.kind === "create") {
    schemaRequirements(c);
    descriptionPass(c, null);
    singleRecords(c);
    chargedSums(c);
    kindBalances(c);
    ownRecords(c);
    chosenSources(c);
    namedRecords(c);
    policyPass(c, null);
    const made = deriveCreation(c);
    nestedRecords(c);
    unitRecords(c);
    uniqueValues(c);
    refusedCases(c);
    if (made) {
      // A key the description spells out wins over the data's pattern (random ids show none).
      service.newKey = statedNewKey(c) ?? made.newKey;
      service.fields = made.fields;
      givenEntries(c, service.fields);
      echoedFields(c, service.fields);
      // Adds, or updates the record the call names when it is there.
      upserts(c, service);
      createdContainerStamps(c);
    }
  } else if (subject.kind === "find" || subject.kind === "list") {
    service.match = matches(text.parameters, subject.table, tables);
  }
  // Who the call acts for: a signed-in, unexpired session, and refusals by that person's fields.
  if (
    !signedInFlag(
      c,
      siblings.filter((s) => s.name !== spec.name).flatMap((s) => sentencesOf(s.description)),
      policy,
    )
  )
    signedInSession(c);
  signedInPersonRefusals(c);
  flagPairs(c);
  flagRefusals(c);
  flagsAskedOfSome(c);
  refusedFlagArguments(c, policy);
  readOnlyRefusals(c, policy);
  wrappedRecords(c);
  nestingDepth(c, policy);
  othersRecords(c, policy);
  qualifiedReferences(c);
  // Money a transfer moves alongside its record: ledger pairs, holds, the policy's fees.
  pairedPostings(c);
  heldFunds(c);
  // What the service's other tools and its policy say of numbers this call moves.
  const said = [...siblings.filter((s) => s.name !== spec.name).flatMap((s) => sentencesOf(s.description)), ...policy];
  // Holds a record keeps on others' numbers, given back.
  releasedHolds(c, said);
  policyFees(c, policy);
  attachedReferences(c);
  chargedRecords(c);
  useCounters(c);
  // Counts other records keep of this table's records (an audience's subscribed members), taken again.
  keepCounts(c);
  service.requires = c.requires;
  linkInserted(c);
  // Numbers that follow one the call moves (a total of it, its free part) move with it.
  service.effects = withoutCounterSteps(
    withFollowers(c, [...c.effects, ...c.inserts], [...c.sentences().map((s) => s.sentence), ...said]),
    service.newKey,
  );
  remainderDefaults(c, service);
  service.returns = returnsOf(subject, spec);
  if (subject.kind === "change" || subject.kind === "create") {
    const defaults = parameterDefaults(text);
    if (Object.keys(defaults).length > 0) service.defaults = defaults as NonNullable<ServiceModel["defaults"]>;
  }
  if (service.returns === "mapping" && subject.table) service.summary = mappingFields(subject.table);
  const aliases = keyAliases(c);
  if (aliases.length > 0) service.aliases = aliases;
  return service;
}

/**
 * `sku_or_part_id`: a key parameter whose name offers another field of the record before its "or"
 * (the part's `sku`): the record is the one of that key, or the one whose field equals the value.
 */
function alternateKey(parameter: string, table: Table): string | null {
  const words = nameWords(parameter);
  const or = words.indexOf("or");
  if (or <= 0) return null;
  const said = words.slice(0, or).join(" ");
  const field = table.fields.find((f) => f.name !== table.key && f.type === "string" && nameWords(f.name).join(" ") === said);
  return field?.name ?? null;
}

/**
 * How a find or list tool's parameters select records: each equal to the field it names (by its
 * name, its path written out, or words that say no more and no less: `merchant_name` is no
 * `merchant_id`), at any depth of the record; `contains` where its description says part of the
 * text matches; or equal to a field of a record that refers to this one (the customer whose line
 * has this number).
 */
function matches(
  parameters: ReturnType<typeof toolText>["parameters"],
  table: Table | null,
  tables: readonly Table[] = [],
): ServiceModel["match"] {
  if (!table) return [];
  const words = (name: string) => nameWords(name).filter((w) => w !== "id");
  const isId = (name: string) => /(^|_)id$|Id$/.test(name);
  const find = (fields: readonly Field[], name: string) => {
    const paths = leaves(fields);
    const mine = words(name);
    return (
      paths.find((l) => l.path.at(-1) === name) ??
      paths.find((l) => l.path.join("_") === name) ??
      paths.find((l) => {
        const last = l.path.at(-1) as string;
        if (isId(last) !== isId(name) || l.field.references) return false;
        const theirs = nameWords(l.path.join("_")).filter((w) => w !== "id");
        return mine.length > 0 && mine.every((w) => theirs.includes(w)) && words(last).every((w) => mine.includes(w));
      })
    );
  };
  const out: ServiceModel["match"] = [];
  for (const p of parameters) {
    const near = find(table.fields, p.name);
    if (near) {
      const partial = /\b(any part|part of|contains|substring|partial|fuzzy)\b/i.test(p.description);
      out.push({ parameter: p.name, path: near.path, mode: partial && near.field.type === "string" ? "contains" : "equal" });
      continue;
    }
    if (/^(query|q|keyword|keywords|search|term|text|text_filter|search_text)$/.test(p.name)) {
      out.push({ parameter: p.name, path: [], mode: "text" });
      continue;
    }
    // A field of a record that refers to this one: the customer who owns the line with this number.
    for (const other of tables) {
      const link = other.fields.find((f) => f.references === table.name);
      const exact = link ? leaves(other.fields).find((l) => l.path.at(-1) === p.name) : undefined;
      if (link && exact) {
        out.push({ parameter: p.name, path: exact.path, mode: "equal", via: { table: other.name, field: link.name } });
        break;
      }
    }
  }
  return out;
}
