// Words that tell what a tool does: its verb decides the operation kind, status verbs the state a
// record moves to. Rule inference reads only these lists and the tool's own parameters.
import type { OperationKind } from "../contracts/domain-schema.ts";

const words = (text: string) => new Set(text.split(/\s+/).filter(Boolean));

/** Verbs of each kind; a verb in none of them makes a `lookup` (a read that answers from records). */
export const VERBS: Record<"create" | "upsert" | "get" | "list" | "update" | "delete" | "status" | "transfer" | "move", Set<string>> = {
  create: words(
    "create add book register post send submit schedule insert make open new place reserve issue file apply request invite enroll subscribe upload log record buy purchase order pay donate publish comment rate review start initiate generate draft plan assign attach append return",
  ),
  upsert: words("write save put store upsert"),
  get: words("get fetch retrieve show view read describe display load check inspect see"),
  list: words("list search find query browse filter lookup look"),
  update: words("update change modify edit set rename reschedule adjust configure replace patch amend reassign"),
  delete: words("delete remove drop erase clear discard unsubscribe unregister detach"),
  status: words(
    "cancel freeze unfreeze block unblock activate deactivate approve reject confirm complete close archive unarchive lock unlock suspend resume enable disable void refund ship deliver fulfil fulfill mark pause accept decline finish end terminate revoke verify publish",
  ),
  transfer: words("transfer"),
  move: words("move copy rename"),
};

/** The state a status verb leaves a record in. */
const PARTICIPLES: Record<string, string> = {
  freeze: "frozen",
  unfreeze: "active",
  unblock: "active",
  unlock: "active",
  activate: "active",
  enable: "active",
  resume: "active",
  unarchive: "active",
  cancel: "cancelled",
  ship: "shipped",
  deliver: "delivered",
  fulfil: "fulfilled",
  fulfill: "fulfilled",
  pause: "paused",
  end: "ended",
  mark: "marked",
  refund: "refunded",
  void: "voided",
  begin: "started",
  withdraw: "withdrawn",
  send: "sent",
  pay: "paid",
  hold: "held",
  shut: "shut",
  put: "put",
  set: "set",
  win: "won",
  lose: "lost",
  take: "taken",
  give: "given",
  write: "written",
};

export function participle(verb: string): string {
  const known = PARTICIPLES[verb];
  if (known) return known;
  if (verb.endsWith("e")) return `${verb}d`;
  // modify → modified, deny → denied (a vowel before the y keeps it: delay → delayed).
  if (/[^aeiou]y$/.test(verb)) return `${verb.slice(0, -1)}ied`;
  if (/[^aeiou][aeiou][bdgkmnprt]$/.test(verb) && verb.length <= 4) return `${verb}${verb.at(-1)}ed`;
  return `${verb}ed`;
}

/** States from which no status change is allowed (a cancelled order stays cancelled). */
export const TERMINAL_STATES = new Set([
  "cancelled",
  "deleted",
  "closed",
  "terminated",
  "revoked",
  "refunded",
  "voided",
  "rejected",
  "declined",
  "completed",
  "delivered",
  "ended",
  "finished",
]);

/** Numeric fields that a quantity or an amount draws down. */
export const COUNTER_FIELDS = {
  amount: ["balance", "funds", "credit", "available_balance"],
  quantity: ["stock", "quantity_in_stock", "inventory", "available", "capacity", "seats_available"],
};

/** Parameters that bound how many records come back. */
export const LIMIT_PARAMETERS = words("limit max_results page_size count top n size per_page max_items");

/** Parameters holding free text to match. */
export const QUERY_PARAMETERS = words("query q keyword keywords search term pattern text search_term search_query name_contains");

/** Prefixes and suffixes that make a parameter a bound of a field: `min_price`, `from_date`, `start_date`. */
export const LOWER_BOUND = /^(min|from|start|after|since|earliest|lowest)_(.+)$|^(.+)_(min|from|after|since|start)$/;
export const UPPER_BOUND = /^(max|to|end|before|until|latest|highest)_(.+)$|^(.+)_(max|to|before|until|end)$/;

/** Source and destination parameter names (`from_account_id`, `source_path`, `destination_path`). */
export const SOURCE = /^(from|source|src|origin_?)_(.+)$/;
export const DESTINATION = /^(to|destination|dest|target|new)_(.+)$/;

/** Natural keys: a record is named by its caller, not by a made-up id. */
export const NATURAL_KEYS = words(
  "path file_path filepath filename file_name email username url slug sku isbn iban code symbol ticker domain hostname",
);

/** The operation kind a verb asks for, or null for a verb of no kind (a lookup). */
export function verbKind(verb: string): Exclude<OperationKind, "lookup"> | "status" | null {
  for (const kind of ["transfer", "move", "status", "upsert", "create", "delete", "update", "list", "get"] as const) {
    if (VERBS[kind].has(verb)) return kind === "status" ? "status" : kind;
  }
  return null;
}
