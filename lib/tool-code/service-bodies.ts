// The body of a service tool, written from its rules (contracts/tool-rules.ts): the record it acts
// on, every requirement checked before anything changes (a refusal names what failed), the effects
// in order, the answer. Places are reached by following keys from the record, each record looked
// up once.
import type { DomainSchema, Table, ToolModel } from "../contracts/domain-schema.ts";
import type { Condition, Effect, Hop, NewKey, Place, Requirement, Rule, ServiceModel, ValueExpr } from "../contracts/tool-rules.ts";
import { prop, q } from "./code-text.ts";
import { heldBeforeMoved } from "./held-first.ts";

export function serviceBody(model: ToolModel, schema: DomainSchema, helpers: Set<string>): string[] {
  const service = model.service as ServiceModel;
  const tables = new Map(schema.tables.map((t) => [t.name, t]));
  const w = new ServiceWriter(model.tool, service, tables, helpers);
  return w.write();
}

class ServiceWriter {
  readonly lines: string[] = [];
  readonly #service: ServiceModel;
  readonly #tables: ReadonlyMap<string, Table>;
  readonly #helpers: Set<string>;
  /** Variables of the records reached by hop chains, by chain. */
  readonly #reached = new Map<string, string>();
  /** Places the effects read, taken before they run (see #snapshotReads). */
  readonly #snapshots = new Map<string, string>();
  readonly #tool: string;
  #inserts = 1;
  /** The key (as the record holds it) of the record an insert effect made last, for a link after it. */
  #lastInserted: string | null = null;

  constructor(tool: string, service: ServiceModel, tables: ReadonlyMap<string, Table>, helpers: Set<string>) {
    this.#tool = tool;
    this.#service = service;
    this.#tables = tables;
    this.#helpers = helpers;
  }

  get table(): Table | undefined {
    return this.#service.table ? this.#tables.get(this.#service.table) : undefined;
  }

  write(): string[] {
    const s = this.#service;
    // A parameter left out takes the value the service states as its default, before anything reads it.
    for (const [name, value] of Object.entries(s.defaults ?? {}))
      this.lines.push(`if (${arg(name)} === undefined) args = { ...args, ${q(name)}: ${JSON.stringify(value)} };`);
    // A word said in place of a key (`primary`) names the one record the data marks with that flag.
    for (const a of s.aliases ?? []) {
      const rows = prop("db", a.table);
      this.lines.push(
        `if (${arg(a.parameter)} === ${JSON.stringify(a.alias)}) args = { ...args, ${q(a.parameter)}: Object.keys(${rows}).find((k) => (${rows}[k] as Record<string, unknown>)[${JSON.stringify(a.field)}] === true) ?? ${arg(a.parameter)} };`,
      );
    }
    switch (s.kind) {
      case "utility":
        this.#utility();
        break;
      case "find":
        this.#find();
        break;
      case "get":
        this.#get();
        break;
      case "list":
        this.#list();
        break;
      case "change":
        this.#change();
        break;
      case "create":
        this.#create();
        break;
    }
    return this.lines;
  }

  #utility(): void {
    const s = this.#service;
    if (s.utility === "calculate") {
      this.#helpers.add("exactArithmetic");
      this.lines.push(`return exactArithmetic(String(Object.values(args)[0] ?? ""));`);
    } else if (s.utility === "handoff") this.lines.push(`return "Transfer successful";`);
    else this.lines.push(`return "";`);
  }

  #rows(table: Table): string {
    return `${prop("db", table.name)}`;
  }

  #get(): void {
    this.#callerRequirements();
    this.lines.push(`return ${this.#subject()};`);
  }

  /**
   * A read checks what it requires of records other than its own (a signed-in session): those
   * reach their records from a root, so they hold before any record is looked up.
   */
  #callerRequirements(): void {
    const rooted = (value: unknown): boolean => {
      if (!value || typeof value !== "object") return true;
      if ("hops" in value && "path" in value && !("root" in value)) return false;
      return Object.values(value).every(rooted);
    };
    // Only conditions on such records: a read's other requirements were never its code's to check.
    const other = (r: Rule) => r.rule.kind === "compare" && JSON.stringify(r.rule).includes('"root"');
    for (const r of this.#service.requires)
      if (other(r) && rooted(r.rule) && rooted(r.when ?? [])) this.#guarded(this.#when(r), () => this.#requirement(r.rule as Requirement));
  }

  /**
   * The record a get or change acts on: by its key; the one record of a collection that holds one
   * (a session, a player); else the first whose fields equal the call's (a level by item and location).
   */
  #subject(): string {
    const table = this.table as Table;
    const s = this.#service;
    // The record that holds the entry the key names (a booking by one of its seats).
    if (s.keyParameter && s.entry) {
      this.#helpers.add("entryIn");
      const list = path("r", s.entry.path, true);
      this.lines.push(
        `const holder = Object.values(${this.#rows(table)} ?? {}).find((r: any) => entryIn(${list}, ${arg(s.keyParameter)}, ${q(s.entry.keyField)}) !== undefined);`,
      );
      this.lines.push(`if (!holder) fail(\`no ${table.entity} holds ${s.keyParameter.replaceAll("_", " ")} \${${arg(s.keyParameter)}}\`);`);
      return "holder";
    }
    // `sku_or_part_id`: the record whose other field the value equals, else the one of that key.
    const alternate = s.keyParameter ? s.match.find((m) => m.parameter === s.keyParameter && m.mode === "equal") : undefined;
    if (s.keyParameter && alternate) {
      this.#helpers.add("same");
      return `(Object.values(${this.#rows(table)} ?? {}).find((r: any) => same(${path("r", alternate.path, true)}, ${arg(s.keyParameter)})) ?? requireRecord(${this.#rows(table)}, ${arg(s.keyParameter)}, ${q(table.entity)}))`;
    }
    if (s.keyParameter) return `requireRecord(${this.#rows(table)}, ${arg(s.keyParameter)}, ${q(table.entity)})`;
    if (table.storage === "single") {
      this.lines.push(`const one = ${single(this.#rows(table))};`);
      this.lines.push(`if (!one) fail(${q(`there is no ${table.entity}`)});`);
      return "one";
    }
    const conditions = this.#conditions("r");
    this.lines.push(`const found = Object.values(${this.#rows(table)} ?? {}).find((r) => ${conditions.join(" && ") || "true"});`);
    this.lines.push(`if (!found) fail(\`no ${table.entity} matches \${JSON.stringify(args)}\`);`);
    return "found";
  }

  #conditions(variable: string): string[] {
    this.#helpers.add("same");
    return this.#service.match.map((m) => {
      if (m.mode === "text") {
        this.#helpers.add("mentions");
        return `(${arg(m.parameter)} === undefined || mentions(${variable}, String(${arg(m.parameter)})))`;
      }
      if (m.mode === "contains")
        return `(${arg(m.parameter)} === undefined || String(${path(variable, m.path, true)} ?? "").toLowerCase().includes(String(${arg(m.parameter)}).toLowerCase()))`;
      if (m.via) {
        const other = this.#tables.get(m.via.table) as Table;
        const key = (this.table as Table).key;
        return `(${arg(m.parameter)} === undefined || Object.values(${this.#rows(other)} ?? {}).some((x: any) => same(${prop("x", m.via.field)}, ${prop(variable, key)}) && same(${path("x", m.path, true)}, ${arg(m.parameter)})))`;
      }
      const or = m.or ? ` || same(${path(variable, m.or, true)}, ${arg(m.parameter)})` : "";
      return `(${arg(m.parameter)} === undefined || same(${path(variable, m.path, true)}, ${arg(m.parameter)})${or})`;
    });
  }

  #find(): void {
    this.#callerRequirements();
    const table = this.table as Table;
    const conditions = this.#conditions("r");
    // The key the record is filed under: the data may keep it only there (a map keyed by id).
    this.lines.push(`const found = Object.entries(${this.#rows(table)} ?? {}).find(([, r]) => ${conditions.join(" && ") || "true"});`);
    this.lines.push(`if (!found) fail(\`no ${table.entity} matches \${JSON.stringify(args)}\`);`);
    this.lines.push(table.key && !table.storage ? `return ${prop("found[1]", table.key)} ?? found[0];` : "return found[0];");
  }

  #list(): void {
    this.#callerRequirements();
    const table = this.table as Table;
    const conditions = this.#conditions("r");
    const filter = conditions.length > 0 ? `.filter((r) => ${conditions.join(" && ")})` : "";
    this.lines.push(`const rows = Object.values(${this.#rows(table)} ?? {})${filter};`);
    if (this.#service.returns === "mapping") {
      const [name, key] = this.#service.summary ?? [table.key, table.key];
      this.lines.push(
        `return Object.fromEntries(rows.map((r) => [String(${prop("r", name as string)}), ${prop("r", key as string)}]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));`,
      );
    } else this.lines.push("return rows;");
  }

  #change(): void {
    this.lines.push(`const record = ${this.#subject()};`);
    for (const r of this.#service.requires) this.#guarded(this.#when(r), () => this.#requirement(r.rule as Requirement));
    const effects = heldBeforeMoved(this.#service.effects);
    this.#snapshotReads(effects.map((r) => r.rule as Effect));
    const when = this.#conditionsFirst(effects);
    for (const [i, r] of effects.entries()) this.#guarded(when[i] ?? null, () => this.#effect(r.rule as Effect));
    this.lines.push("return record;");
  }

  /** Each effect's conditions, decided before any effect runs (variables `whenN`), or null when it has none. */
  #conditionsFirst(rules: readonly Rule[]): (string | null)[] {
    return rules.map((r, i) => {
      if (!r.when || r.when.length === 0) return null;
      const name = `when${i + 1}`;
      this.lines.push(`const ${name} = ${r.when.map((c) => this.#condition(c)).join(" && ")};`);
      return name;
    });
  }

  /** Lines written by `write`, inside \`if (when) {…}\` when there is a condition. */
  #guarded(when: string | null, write: () => void): void {
    if (!when) {
      write();
      return;
    }
    const start = this.lines.length;
    const reached = new Set(this.#reached.keys());
    write();
    const body = this.lines.splice(start).map((line) => `  ${line}`);
    this.lines.push(`if (${when}) {`, ...body, "}");
    // Records first reached inside the block are its own: reached again outside it, they are looked up again.
    for (const key of [...this.#reached.keys()]) if (!reached.has(key)) this.#reached.delete(key);
  }

  /** A requirement's condition, inline (it is checked where it stands, before any effect). */
  #when(r: Rule): string | null {
    return r.when && r.when.length > 0 ? r.when.map((c) => this.#condition(c)).join(" && ") : null;
  }

  #condition(c: Condition): string {
    this.#helpers.add("holds");
    return `holds(${this.#value(c.left)}, ${q(c.op)}${c.right ? `, ${this.#value(c.right)}` : ""})`;
  }

  /**
   * Values the effects read, taken before any effect runs: a payment records the amount that was
   * due, though another effect sets what is due to 0.
   */
  #snapshotReads(effects: readonly Effect[]): void {
    const reads: Place[] = [];
    const visit = (value: ValueExpr | undefined) => {
      if (!value) return;
      if (value.kind === "read" && !value.after) reads.push(value.place);
      else if (value.kind === "object") for (const part of Object.values(value.fields)) visit(part);
      else if (value.kind === "arith") {
        visit(value.left);
        visit(value.right);
      }
    };
    for (const e of effects) {
      if (e.kind === "set") visit(e.value);
      else if (e.kind === "add" || e.kind === "entry-add") visit(e.amount);
      else if (e.kind === "append") for (const v of Object.values(e.element)) visit(v);
      else if (e.kind === "mirror") for (const v of Object.values(e.set)) visit(v);
      else if (e.kind === "add-values") visit(e.value);
      else if (e.kind === "insert") for (const v of Object.values(e.fields)) visit(v);
    }
    const written = new Set(effects.flatMap((e) => ("place" in e ? [JSON.stringify(e.place)] : [])));
    // A number taken for a new key is read before it moves on.
    for (const e of effects) if (e.kind === "insert" && e.key.counter) written.add(JSON.stringify(e.key.counter));
    for (const place of reads) {
      const id = JSON.stringify(place);
      if (this.#snapshots.has(id) || !written.has(id)) continue;
      const name = `before${this.#snapshots.size + 1}`;
      this.lines.push(`const ${name} = ${this.#place(place)};`);
      this.#snapshots.set(id, name);
    }
  }

  #create(): void {
    const table = this.table as Table;
    const s = this.#service;
    const pattern = s.newKey ?? { prefix: `${table.idPrefix}_`, digits: 6, sequential: false };
    // Add or update: the record the call names, when there is one, changes; else one is made.
    const upsert = s.upsert && s.match.length > 0 ? s.upsert : null;
    const start = this.lines.length;
    const reached = new Set(this.#reached.keys());
    if (upsert) this.lines.push("let record: any;");
    this.#newKey("key", "keyValue", table, pattern);
    const fields = Object.entries(s.fields ?? {}).map(([name, value]) => `${q(name)}: ${this.#value(value)}`);
    this.lines.push(`${upsert ? "record" : "const record: any"} = { ${fields.join(", ")} };`);
    // The new record is built from the call alone; what it requires is checked before it is stored
    // (a refused call changes nothing, the counter a key was taken from included).
    for (const r of s.requires) this.#guarded(this.#when(r), () => this.#requirement(r.rule as Requirement, false));
    this.lines.push(`${this.#rows(table)}[key] = record;`);
    if (upsert) {
      const made = this.lines.splice(start + 1).map((line) => `  ${line}`);
      for (const key of [...this.#reached.keys()]) if (!reached.has(key)) this.#reached.delete(key);
      const conditions = this.#conditions("r");
      this.lines.push(`const existing = Object.values(${this.#rows(table)} ?? {}).find((r: any) => ${conditions.join(" && ")});`);
      this.lines.push("if (existing) {", "  record = existing;");
      // "that alert is returned and nothing is charged": the call stops at the record there is.
      if (upsert.kept) this.lines.push("  return record;");
      for (const [field, parameter] of Object.entries(upsert.set))
        this.lines.push(`  if (${arg(parameter)} !== undefined) ${prop("record", field)} = ${arg(parameter)};`);
      this.lines.push("} else {", ...made, "}");
    }
    const effects = s.effects.filter((r) => r.rule.kind !== "set" || r.rule.place.path.length > 0 || r.rule.place.root);
    const when = this.#conditionsFirst(effects);
    for (const [i, r] of effects.entries()) this.#guarded(when[i] ?? null, () => this.#effect(r.rule as Effect));
    this.lines.push("return record;");
  }

  /**
   * A new key into `name` (the table's key, as text) and `value` (as the record holds it): from a
   * counter the data keeps, the next number after the data's keys, or a fresh id.
   */
  #newKey(name: string, value: string, table: Table | undefined, pattern: NewKey): void {
    const rows = table ? `${this.#rows(table)} ?? {}` : "{}";
    if (pattern.formula) {
      this.lines.push(`const ${name} = String(${this.#value(pattern.formula)});`, `const ${value} = ${name};`);
      return;
    }
    if (pattern.counter) {
      this.#helpers.add("counterKey");
      const holder = this.#place({ ...pattern.counter, path: pattern.counter.path.slice(0, -1) });
      this.lines.push(
        // Keys the data's records write as text ("1783345011") stay text, though the counter is a number.
        `const { key: ${name}, value: ${value} } = counterKey(${holder}, ${q(pattern.counter.path.at(-1) as string)}, ${q(pattern.prefix)}${pattern.numeric === false ? ", true" : ""});`,
      );
      return;
    }
    if (table?.storage === "position") {
      this.lines.push(`const ${name} = String(Object.keys(${rows}).length);`, `const ${value} = ${name};`);
      return;
    }
    if (pattern.timed) {
      this.#helpers.add("timedKey");
      const { shift, radix, unit } = pattern.timed;
      this.lines.push(`const ${name} = timedKey(${rows}, ${shift}, ${radix}, ${q(unit)});`, `const ${value} = ${name};`);
      return;
    }
    if (pattern.sequential) {
      const helper = pattern.encoded ? "nextEncodedKey" : "nextKey";
      this.#helpers.add(helper);
      this.lines.push(`const ${name} = ${helper}(${rows}, ${q(pattern.prefix)}, ${pattern.digits});`);
    } else this.lines.push(`const ${name} = newId(${q(pattern.prefix.replace(/_$/, ""))});`);
    this.lines.push(`const ${value} = ${pattern.numeric ? `Number(${name})` : name};`);
  }

  /** The variable of the record a hop chain reaches from `start` (looked up once; refused when a key names nothing). */
  #reach(hops: readonly Hop[], start = "record"): string {
    let variable = start;
    for (let i = 0; i < hops.length; i++) {
      const chain = `${start}:${JSON.stringify(hops.slice(0, i + 1))}`;
      const known = this.#reached.get(chain);
      if (known) {
        variable = known;
        continue;
      }
      const hop = hops[i] as Hop;
      const table = this.#tables.get(hop.table) as Table;
      const name = `${ident(table.entity)}${this.#reached.size + 1}`;
      if (hop.back) {
        // The record that names this one: found by the key of the record reached so far.
        const from = this.#tables.get(i === 0 ? (this.#service.table ?? "") : (hops[i - 1] as Hop).table);
        this.#helpers.add("same");
        this.lines.push(
          `const ${name} = Object.values(${this.#rows(table)} ?? {}).find((r: any) => same(${path("r", hop.field.split("."), true)}, ${prop(variable, from?.key ?? "id")})) ?? fail(${q(`there is no ${table.entity} of this record`)});`,
        );
      } else
        this.lines.push(
          table.storage === "single"
            ? `const ${name} = ${single(this.#rows(table))} ?? fail(${q(`there is no ${table.entity}`)});`
            : `const ${name} = requireRecord(${this.#rows(table)}, ${path(variable, hop.field.split("."), true)}, ${q(table.entity)});`,
        );
      this.#reached.set(chain, name);
      variable = name;
    }
    return variable;
  }

  #place(place: Place): string {
    const at = path(this.#reach(place.hops, place.root ? this.#root(place.root) : "record"), place.path, false);
    return place.key ? `${at}[String(${this.#value(place.key)})]` : at;
  }

  /** The variable of a place's root record: a record a value names (looked up once), or a collection's one record. */
  #root(root: NonNullable<Place["root"]>): string {
    const table = this.#tables.get(root.table) as Table;
    const id = JSON.stringify(root);
    const known = this.#reached.get(id);
    if (known) return known;
    const name = `${ident(table.entity)}${this.#reached.size + 1}`;
    if (root.where && table.storage !== "single") {
      this.#helpers.add("same");
      const where = root.where.map((w) => `same(${prop("r", w.field)}, ${this.#value(w.value)})`).join(" && ");
      const said = root.where.map((w) => `${w.field} \${JSON.stringify(${this.#value(w.value)})}`).join(" and ");
      this.lines.push(`const ${name} = Object.values(${this.#rows(table)} ?? {}).find((r: any) => ${where});`);
      this.lines.push(`if (!${name}) fail(\`no ${table.entity} with ${said}\`);`);
    } else if (!root.key || table.storage === "single") {
      this.lines.push(`const ${name} = ${single(this.#rows(table))};`);
      this.lines.push(`if (!${name}) fail(${q(`there is no ${table.entity}`)});`);
    } else this.lines.push(`const ${name} = requireRecord(${this.#rows(table)}, ${this.#value(root.key)}, ${q(table.entity)});`);
    this.#reached.set(id, name);
    return name;
  }

  #value(value: ValueExpr): string {
    switch (value.kind) {
      case "parameter": {
        const given = value.path ? path(arg(value.name), value.path, true) : arg(value.name);
        if (value.fallback) return `(${given} ?? ${this.#value(value.fallback)})`;
        return value.otherwise === undefined ? given : `(${given} ?? ${JSON.stringify(value.otherwise)})`;
      }
      case "item":
        return value.path ? path("item", value.path, true) : "item";
      case "inserted":
        return this.#lastInserted ?? "keyValue";
      case "arith": {
        this.#helpers.add("amountOf");
        const op = value.op;
        if (op === "//") return `Math.floor(amountOf(${this.#value(value.left)}) / amountOf(${this.#value(value.right)}))`;
        if (op === "min" || op === "max") return `Math.${op}(amountOf(${this.#value(value.left)}), amountOf(${this.#value(value.right)}))`;
        const both = `amountOf(${this.#value(value.left)}) ${op} amountOf(${this.#value(value.right)})`;
        if (op === "/") return `(${both})`;
        this.#helpers.add("money");
        return `money(${both})`;
      }
      case "aggregate": {
        const table = this.#tables.get(value.table) as Table;
        this.#helpers.add("same");
        const where =
          value.where.map((w) => `${w.not ? "!" : ""}same(${prop("r", w.field)}, ${this.#value(w.value)})`).join(" && ") || "true";
        const rows = `Object.values(${this.#rows(table)} ?? {}).filter((r: any) => ${where})`;
        if (value.op === "count") return `${rows}.length`;
        this.#helpers.add("amountOf");
        return `${rows}.reduce((n: number, r: any) => n + amountOf(${path("r", (value.field ?? "amount").split("."), true)}), 0)`;
      }
      case "constant":
        return JSON.stringify(value.value);
      case "today":
        return "today()";
      case "now": {
        const at = value.offsetSeconds ? `new Date(Date.parse(now()) + ${value.offsetSeconds * 1000}).toISOString()` : "now()";
        if (value.unixSeconds) return `Math.floor(Date.parse(${at}) / 1000)`;
        if (value.unixMillis) return value.unixMillis === "text" ? `String(Date.parse(${at}))` : `Date.parse(${at})`;
        if (value.utcOffset) {
          this.#helpers.add("atOffset");
          return `atOffset(${at}, ${JSON.stringify(value.utcOffset)})`;
        }
        return value.wholeSeconds ? `${at}.replace(/\\.\\d+Z$/, "Z")` : at;
      }
      case "read":
        return (!value.after && this.#snapshots.get(JSON.stringify(value.place))) || this.#place(value.place);
      case "new-key":
        return value.number ? `Number(String(keyValue).replace(/^\\D+/, ""))` : "keyValue";
      case "fresh-key": {
        const table = this.#tables.get(value.table);
        const rows = table ? `${this.#rows(table)} ?? {}` : "{}";
        if (value.timed) {
          this.#helpers.add("timedKey");
          return `timedKey(${rows}, ${value.timed.shift}, ${value.timed.radix}, ${q(value.timed.unit)})`;
        }
        if (value.sequential) {
          const helper = value.encoded ? "nextEncodedKey" : "nextKey";
          this.#helpers.add(helper);
          return `${helper}(${rows}, ${q(value.prefix)}, ${value.digits})`;
        }
        return `newId(${q(value.prefix.replace(/_$/, ""))})`;
      }
      case "next": {
        this.#helpers.add("counterKey");
        const holder = this.#place({ ...value.counter, path: value.counter.path.slice(0, -1) });
        return `counterKey(${holder}, ${q(value.counter.path.at(-1) as string)}, ${q(value.prefix)}).value`;
      }
      case "concat":
        return `[${value.parts.map((p) => this.#value(p)).join(", ")}].map((part) => String(part ?? "")).join("")`;
      case "lookup": {
        const table = this.#tables.get(value.table) as Table;
        return path(`${this.#rows(table)}?.[String(${this.#value(value.key)})]`, value.path, true);
      }
      case "element": {
        this.#helpers.add("same");
        const list = this.#value(value.of);
        return path(
          `((Array.isArray(${list}) ? ${list} : []) as any[]).find((e: any) => ${[{ field: value.field, equals: value.equals }, ...(value.and ?? [])].map((m) => `same(${prop("e", m.field)}, ${this.#value(m.equals)})`).join(" && ")})`,
          value.path,
          true,
        );
      }
      case "elements":
        // Inside, `item` is the element (the `item` value kind).
        return `(Array.isArray(${this.#value(value.of)}) ? ${this.#value(value.of)} : []).map((item: any) => ({ ...item, ${Object.entries(
          value.fields,
        )
          .map(([name, v]) => `${q(name)}: ${this.#value(v)}`)
          .join(", ")} }))`;
      case "sum":
        this.#helpers.add("amountOf");
        return `(Array.isArray(${this.#value(value.of)}) ? ${this.#value(value.of)} : []).reduce((n: number, item: any) => n + amountOf(${path("item", value.path, true)}), 0)`;
      case "bump": {
        this.#helpers.add("bumped");
        const at = this.#snapshots.get(JSON.stringify(value.place)) || this.#place(value.place);
        return `bumped(${at}, ${value.by})`;
      }
      case "digits":
        return `String(${this.#value(value.value)} ?? "").padStart(${value.digits}, "0")`;
      case "fixed":
        // Decimal text ("15" → "15.00"); a value left out (an optional parameter) stays left out.
        this.#helpers.add("amountOf");
        return `((v: any) => (v === undefined || v === null || v === "" ? v : amountOf(v).toFixed(${value.decimals})))(${this.#value(value.value)})`;
      case "match": {
        const table = this.#tables.get(value.table) as Table;
        this.#helpers.add("same");
        const where = value.where.map((w) => `same(${prop("r", w.field)}, ${this.#value(w.value)})`).join(" && ") || "true";
        const found = `Object.entries(${this.#rows(table)} ?? {}).find(([, r]: [string, any]) => ${where})`;
        const of = value.field ? `e[1]?.${value.field} ?? null` : `e[1]?.${table.key} ?? e[0]`;
        return `((e: [string, any] | undefined) => (e ? ${of} : null))(${found})`;
      }
      case "object":
        return `{ ${Object.entries(value.fields)
          // A part from a parameter the call leaves out is "", unless the rule says what it holds then.
          .map(
            ([name, v]) =>
              `${q(name)}: ${v.kind === "parameter" && v.otherwise === undefined && !v.fallback && !v.path ? `${arg(v.name)} ?? ""` : this.#value(v)}`,
          )
          .join(", ")} }`;
    }
  }

  #requirement(rule: Requirement, onRecord = true): void {
    const entity = this.table?.entity ?? "record";
    const key = onRecord && this.#service.keyParameter ? `\${${arg(this.#service.keyParameter)}}` : "";
    switch (rule.kind) {
      case "status-in": {
        const at = this.#place(rule.place);
        this.lines.push(
          `ensure(${q(rule.values)}.includes(${at}), \`${entity} ${key} is \${${at}}: ${this.#tool} needs a ${entity} that is ${rule.values.join(" or ")}\`);`,
        );
        break;
      }
      case "parameter-in":
        this.lines.push(
          `ensure(${q(rule.values)}.includes(${arg(rule.parameter)}), \`${rule.parameter} must be ${rule.values.map((v) => `'${v}'`).join(" or ")}, not \${JSON.stringify(${arg(rule.parameter)})}\`);`,
        );
        break;
      case "positive":
        this.lines.push(
          `ensure(typeof ${arg(rule.parameter)} === "number" && ${arg(rule.parameter)} > 0, ${q(`${rule.parameter} must be positive`)});`,
        );
        break;
      case "at-most": {
        const limit = this.#value(rule.limit);
        // Amounts written as decimal strings ("598.00" against "5000.00") are compared as numbers.
        const asNumber = (v: string) => `(typeof ${v} === "string" ? Number(${v}) : ${v})`;
        this.lines.push(
          `ensure(${asNumber(arg(rule.parameter))} <= ${asNumber(`(${limit} ?? 0)`)} + 1e-9, \`${rule.parameter} \${${arg(rule.parameter)}} is more than \${${limit}}\`);`,
        );
        break;
      }
      case "below": {
        const at = this.#place(rule.place);
        this.lines.push(
          `ensure((${at} ?? 0) < ${rule.limit}, \`${entity} ${key} has reached its limit of ${rule.limit} (${rule.place.path.join(".")} is \${${at}})\`);`,
        );
        break;
      }
      case "entry-of": {
        const map = this.#place(rule.place);
        this.#helpers.add("entryIn");
        this.lines.push(
          `ensure(entryIn(${map}, ${arg(rule.parameter)}${keyArg(rule.keyField)}) !== undefined, \`${rule.parameter} \${${arg(rule.parameter)}} is not one of the ${rule.place.path.at(-1)?.replaceAll("_", " ")} here\`);`,
        );
        break;
      }
      case "record-exists": {
        const table = this.#tables.get(rule.table) as Table;
        this.lines.push(`requireRecord(${this.#rows(table)}, ${arg(rule.parameter)}, ${q(table.entity)});`);
        break;
      }
      case "elements-of": {
        const array = this.#place(rule.place);
        this.lines.push(
          `for (const id of ${arg(rule.parameter)} ?? []) ensure((${array} ?? []).some((e: any) => e?.${rule.field} === id), \`\${id} is not one of the ${rule.place.path.at(-1)?.replaceAll("_", " ")} of this ${entity}\`);`,
        );
        break;
      }
      case "slot-open": {
        const map = this.#place(rule.place);
        const key = this.#value(rule.key);
        const value = this.#value(rule.value);
        this.lines.push(`ensure(((${map} ?? {})[String(${key})] ?? []).includes(${value}), \`\${${value}} on \${${key}} is not open\`);`);
        break;
      }
      case "compare": {
        const c = rule.condition;
        this.lines.push(
          `ensure(${this.#condition(c)}, \`${conditionText(c)}: \${JSON.stringify(${this.#value(c.left)})}${c.right ? ` vs \${JSON.stringify(${this.#value(c.right)})}` : ""}\`);`,
        );
        break;
      }
      case "covers": {
        const map = this.#place(rule.place);
        const amount = this.#value(rule.amount);
        this.#helpers.add("entryIn");
        this.lines.push(`{`);
        this.lines.push(`  const entry = entryIn(${map}, ${arg(rule.parameter)}${keyArg(rule.keyField)});`);
        this.lines.push(
          `  if (entry && typeof entry.${rule.field} === "number") ensure(entry.${rule.field} + 1e-9 >= ${amount}, \`insufficient ${rule.field}: \${${arg(rule.parameter)}} has \${entry.${rule.field}}, needs \${${amount}}\`);`,
        );
        this.lines.push(`}`);
        break;
      }
    }
  }

  #effect(rule: Effect): void {
    switch (rule.kind) {
      case "set":
        // A struct read from another record is copied, not shared: a later change to one leaves the other.
        this.lines.push(
          rule.value.kind === "read"
            ? `${this.#place(rule.place)} = ((v: any) => (v && typeof v === "object" ? JSON.parse(JSON.stringify(v)) : v))(${this.#value(rule.value)});`
            : `${this.#place(rule.place)} = ${this.#value(rule.value)};`,
        );
        break;
      case "discard": {
        const rows = this.#rows(this.table as Table);
        this.lines.push(`for (const [k, r] of Object.entries(${rows} ?? {})) if (r === record) delete ${rows}[k];`);
        break;
      }
      case "unset":
        this.lines.push(`delete ${this.#place(rule.place)};`);
        break;
      case "shift-date": {
        this.#helpers.add("addDays");
        const at = this.#place(rule.place);
        this.lines.push(`${at} = addDays(${at}, ${rule.days});`);
        break;
      }
      case "add": {
        this.#helpers.add("money");
        const at = this.#place(rule.place);
        // An amount an optional argument gives, when it is not given, changes nothing.
        const amount = this.#value(rule.amount);
        const optional = rule.amount.kind === "parameter" && rule.amount.path !== undefined;
        // A number the data writes as a decimal string moves as one, and stays one.
        this.#helpers.add("moved");
        const by = rule.sign < 0 ? `-(${amount})` : amount;
        this.lines.push(
          optional
            ? `if (${amount} !== undefined) ${at} = typeof ${at} === "string" ? moved(${at}, ${by}) : money((${at} ?? 0) ${rule.sign < 0 ? "-" : "+"} ${amount});`
            : `${at} = typeof ${at} === "string" ? moved(${at}, ${by}) : money((${at} ?? 0) ${rule.sign < 0 ? "-" : "+"} ${amount});`,
        );
        break;
      }
      case "append": {
        const at = this.#place(rule.place);
        const element = Object.entries(rule.element).map(([name, v]) => `${q(name)}: ${this.#value(v)}`);
        this.lines.push(`${at} = [...(${at} ?? []), { ${element.join(", ")} }];`);
        break;
      }
      case "mirror": {
        const at = this.#place(rule.place);
        const set = Object.entries(rule.set).map(([name, v]) => `${q(name)}: ${this.#value(v)}`);
        this.lines.push(`for (const entry of [...(${at} ?? [])] as any[]) {`);
        this.lines.push(
          rule.negate
            ? `  if (!(typeof entry?.${rule.negate} === "number" && entry.${rule.negate} > 0)) continue;`
            : `  if (entry?.${rule.match.field} !== ${JSON.stringify(rule.match.value)}) continue;`,
        );
        const negated = rule.negate ? `${q(rule.negate)}: -entry.${rule.negate}` : "";
        this.lines.push(`  ${at} = [...${at}, { ...entry, ${[...set, ...(negated ? [negated] : [])].join(", ")} }];`);
        if (rule.credit) {
          this.#helpers.add("money");
          const map = this.#place(rule.credit.place);
          const c = rule.credit;
          this.#helpers.add("entryIn");
          this.lines.push(`  const method = entryIn(${map}, entry.${c.entryField}${keyArg(c.keyField)});`);
          this.lines.push(
            `  if (method && typeof method.${c.balanceField} === "number") method.${c.balanceField} = money(method.${c.balanceField} + entry.${c.amountField});`,
          );
        }
        this.lines.push(`}`);
        break;
      }
      case "entry-add": {
        this.#helpers.add("money");
        const map = this.#place(rule.place);
        this.#helpers.add("entryIn");
        this.lines.push(`{`);
        this.lines.push(`  const entry = entryIn(${map}, ${arg(rule.parameter)}${keyArg(rule.keyField)});`);
        this.lines.push(
          `  if (entry && typeof entry.${rule.field} === "number") entry.${rule.field} = money(entry.${rule.field} ${rule.sign < 0 ? "-" : "+"} ${this.#value(rule.amount)});`,
        );
        this.lines.push(`}`);
        break;
      }
      case "entry-set": {
        const map = this.#place(rule.place);
        this.#helpers.add("entryIn");
        const set = Object.entries(rule.set).map(([name, v]) => `${prop("entry", name)} = ${this.#value(v)};`);
        this.lines.push(`{`);
        this.lines.push(`  const entry = entryIn(${map}, ${arg(rule.parameter)}${keyArg(rule.keyField)});`);
        this.lines.push(`  if (entry) { ${set.join(" ")} }`);
        this.lines.push(`}`);
        break;
      }
      case "set-each": {
        const at = this.#place(rule.place);
        const set = Object.entries(rule.set).map(([name, v]) => `${prop("element", name)} = ${this.#value(v)};`);
        const only = rule.only
          ? `${rule.only.op === "in" ? "!" : ""}${JSON.stringify(rule.only.values)}.includes(${prop("element", rule.only.field)})`
          : "false";
        if (rule.of) {
          const owner = this.#tables.get(rule.of.table) as Table;
          const holder = rule.place.hops.at(-1)?.table ?? this.#service.table;
          const key = prop(at, (this.#tables.get(holder ?? "") as Table | undefined)?.key ?? "id");
          this.#helpers.add("same");
          this.lines.push(
            `for (const element of Object.values(${this.#rows(owner)} ?? {}).filter((r: any) => same(${prop("r", rule.of.field)}, ${key}))) {`,
          );
        } else this.lines.push(`for (const element of Array.isArray(${at}) ? ${at} : []) {`);
        this.lines.push(`  if (!element || typeof element !== "object" || ${only}) continue;`);
        this.lines.push(`  ${set.join(" ")}`);
        this.lines.push(`}`);
        break;
      }
      case "link": {
        const at = this.#place(rule.place);
        // A change tool links the record it inserted last; a create tool, the record it made.
        const made = this.#service.kind === "create" ? "keyValue" : (this.#lastInserted ?? "keyValue");
        this.lines.push(`${at} = [...(${at} ?? []), ${made}];`);
        break;
      }
      case "add-values": {
        const at = this.#place(rule.place);
        const value = this.#value(rule.value);
        const items = rule.each ? `(Array.isArray(${arg(rule.each)}) ? ${arg(rule.each)} : [])` : "[null]";
        this.lines.push(`for (const item of ${items} as any[]) {`);
        this.lines.push(`  const value = ${value};`);
        if (rule.unique) {
          this.#helpers.add("same");
          this.lines.push(`  if ((${at} ?? []).some((v: unknown) => same(v, value))) continue;`);
        }
        this.lines.push(`  ${at} = [...(${at} ?? []), value];`);
        this.lines.push("}");
        break;
      }
      case "remove-values": {
        const at = this.#place(rule.place);
        this.#helpers.add("same");
        const values = this.#value(rule.values);
        const of = rule.field ? `e?.${rule.field}` : "e";
        this.lines.push(`{`);
        this.lines.push(`  const gone: unknown[] = Array.isArray(${values}) ? ${values} : [${values}];`);
        this.lines.push(`  ${at} = (${at} ?? []).filter((e: any) => !gone.some((v) => same(${of}, v)));`);
        this.lines.push(`}`);
        break;
      }
      case "put": {
        const at = this.#place(rule.place);
        const n = this.#inserts++;
        this.lines.push(`const entries${n} = (${at} ??= {});`);
        if (rule.key.sequential) {
          this.#helpers.add("nextKey");
          this.lines.push(`const entryKey${n} = nextKey(entries${n}, ${q(rule.key.prefix)}, ${rule.key.digits});`);
        } else this.lines.push(`const entryKey${n} = newId(${q(rule.key.prefix.replace(/_$/, ""))});`);
        const fields = Object.entries(rule.fields).map(
          ([name, v]) => `${q(name)}: ${v.kind === "new-key" ? `entryKey${n}` : this.#value(v)}`,
        );
        this.lines.push(`entries${n}[entryKey${n}] = { ${fields.join(", ")} };`);
        break;
      }
      case "insert": {
        const made = (made: { table: string; key: NewKey; fields: Record<string, ValueExpr> }) => {
          const table = this.#tables.get(made.table) as Table;
          const n = this.#inserts++;
          this.#newKey(`insertKey${n}`, `insertValue${n}`, table, made.key);
          const fields = Object.entries(made.fields).map(
            ([name, v]) => `${q(name)}: ${v.kind === "new-key" ? `insertValue${n}` : this.#value(v)}`,
          );
          this.lines.push(`(${this.#rows(table)} ??= {})[insertKey${n}] = { ${fields.join(", ")} };`);
          return `insertValue${n}`;
        };
        if (!rule.each) {
          this.#lastInserted = made(rule);
          break;
        }
        // One record per element of the array, each with the records made alongside it, in its own block.
        const start = this.lines.length;
        const outer = this.#lastInserted;
        this.#lastInserted = made(rule);
        for (const other of rule.alongside ?? []) made(other);
        const body = this.lines.splice(start).map((line) => `  ${line}`);
        // `times`: the element's count of units, one record each (a missing or bad count is one).
        const units = rule.times ? `Math.max(0, Math.floor(Number(${path("item", rule.times, false)} ?? 1)) || 0)` : null;
        const inner = units ? [`  for (let unit = 0; unit < ${units}; unit++) {`, ...body.map((line) => `  ${line}`), "  }"] : body;
        this.lines.push(`for (const item of (Array.isArray(${arg(rule.each)}) ? ${arg(rule.each)} : []) as any[]) {`, ...inner, "}");
        this.#lastInserted = outer;
        break;
      }
      case "set-named": {
        const table = this.#tables.get(rule.table) as Table;
        // Values written before the loop: the records they read (a counter's collection) are looked up once, outside it.
        const sets = Object.entries(rule.fields).map(([name, v]) => `  each${path("", [name], false)} = ${this.#value(v)};`);
        const element = rule.append ? Object.entries(rule.append.element).map(([name, v]) => `${q(name)}: ${this.#value(v)}`) : [];
        this.lines.push(`for (const id of (Array.isArray(${arg(rule.each)}) ? ${arg(rule.each)} : []) as unknown[]) {`);
        // An id that names no record is left alone: what ids a call may give is its requirements' to say.
        this.lines.push(`  const each = (${this.#rows(table)} ?? {})[String(id)];`);
        this.lines.push("  if (!each) continue;");
        this.lines.push(...sets);
        if (rule.append) {
          const list = path("each", rule.append.path, false);
          this.lines.push(`  ${list} = [...(${list} ?? []), { ${element.join(", ")} }];`);
        }
        this.lines.push("}");
        break;
      }
      case "add-each": {
        const table = this.#tables.get(rule.named?.table ?? rule.of?.table ?? rule.matching?.table ?? "") as Table | undefined;
        if (!table) break;
        this.#helpers.add("money");
        this.#helpers.add("amountOf");
        const at = rule.list ? arg(rule.list) : this.#place(rule.place);
        const rows = `(${this.#rows(table)} ?? {})`;
        const entryTable = rule.entry ? this.#tables.get(rule.entry.table) : undefined;
        // The counter an entry's key comes from is looked up here, outside the loop that takes keys from it.
        if (rule.entry?.key.counter) this.#place({ ...rule.entry.key.counter, path: rule.entry.key.counter.path.slice(0, -1) });
        this.lines.push(`{`);
        if (rule.matching) {
          this.#helpers.add("same");
          const where = rule.matching.where.map((w) => `same(${prop("r", w.field)}, ${this.#value(w.value)})`).join(" && ");
          this.lines.push(`  for (const item of (Array.isArray(${at}) ? ${at} : []) as any[]) {`);
          this.lines.push(`    const moved = Object.values(${rows}).filter((r: any) => ${where});`);
        } else if (rule.named) {
          this.lines.push(`  for (const item of (Array.isArray(${at}) ? ${at} : []) as any[]) {`);
          this.lines.push(`    const moved = [${rows}[String(${prop("item", rule.named.field)})]];`);
        } else {
          const holder = rule.place.hops.at(-1)?.table ?? this.#service.table;
          const key = prop(at, (this.#tables.get(holder ?? "") as Table | undefined)?.key ?? "id");
          this.#helpers.add("same");
          this.lines.push(`  for (const item of [null] as any[]) {`);
          this.lines.push(
            `    const moved = ${at} ? Object.values(${rows}).filter((r: any) => same(${prop("r", rule.of?.field ?? "id")}, ${key})) : [];`,
          );
        }
        this.lines.push(`    const by = amountOf(${this.#value(rule.amount)});`);
        this.lines.push(`    if (!Number.isFinite(by) || by === 0) continue;`);
        this.lines.push(`    for (const each of moved as any[]) {`);
        this.lines.push(`      if (!each || typeof each !== "object") continue;`);
        const field = path("each", rule.path, false);
        this.lines.push(`      const was = ${field};`);
        // Not \`now\`: that is the clock a stamp on the record reads.
        this.lines.push(`      const after = money(Number(was ?? 0) ${rule.sign < 0 ? "-" : "+"} by);`);
        if (rule.atLeast !== undefined) {
          const what = `${table.entity} ${rule.path.join(".")}`;
          this.lines.push(
            `      if (after < ${rule.atLeast}) fail(\`not enough \${${q(what)}}: \${Number(was ?? 0)} there, \${by} needed\`);`,
          );
        }
        this.lines.push(`      ${field} = typeof was === "string" ? String(after) : after;`);
        for (const [name, v] of Object.entries(rule.set ?? {}))
          this.lines.push(`      each${path("", [name], false)} = ${this.#value(v)};`);
        if (rule.entry && entryTable) {
          const n = this.#inserts++;
          const start = this.lines.length;
          this.#newKey(`insertKey${n}`, `insertValue${n}`, entryTable, rule.entry.key);
          const fields = Object.entries(rule.entry.fields).map(
            ([name, v]) => `${q(name)}: ${v.kind === "new-key" ? `insertValue${n}` : this.#value(v)}`,
          );
          if (rule.entry.after) fields.push(`${q(rule.entry.after)}: ${field}`);
          this.lines.push(`(${this.#rows(entryTable)} ??= {})[insertKey${n}] = { ${fields.join(", ")} };`);
          const body = this.lines.splice(start).map((line) => `      ${line}`);
          this.lines.push(...body);
        }
        this.lines.push(`    }`);
        this.lines.push(`  }`);
        this.lines.push(`}`);
        break;
      }
      case "days": {
        this.#helpers.add("addDays");
        const at = this.#place(rule.place);
        const holder = this.#reach(rule.place.hops, rule.place.root ? this.#root(rule.place.root) : "record");
        const holderTable = this.#tables.get(rule.place.hops.at(-1)?.table ?? this.#service.table ?? "");
        const daily = rule.only ? `(e: any) => e?.${rule.only.field} === ${JSON.stringify(rule.only.value)}` : "(e: any) => Boolean(e)";
        const date = `e?.${rule.dateField}`;
        this.lines.push(`{`);
        this.lines.push(`  const daily = ${daily};`);
        this.lines.push(`  const from = String(${this.#value(rule.from)}), to = String(${this.#value(rule.to)});`);
        this.lines.push(`  const all: any[] = Array.isArray(${at}) ? ${at} : [];`);
        this.lines.push(`  const kept = all.filter((e: any) => !daily(e) || (${date} >= from && ${date} < to));`);
        this.lines.push(`  const have = new Set(kept.filter(daily).map((e: any) => ${date}));`);
        this.lines.push(`  const model = [...all].reverse().find(daily);`);
        if (rule.numbered) {
          this.lines.push(
            `  let next = all.reduce((n: number, e: any) => Math.max(n, Number(/([0-9]+)$/.exec(String(e?.${rule.numbered} ?? ""))?.[1] ?? 0)), 0);`,
          );
        }
        this.lines.push(`  for (let day = from; model && day < to; day = addDays(day, 1)) {`);
        this.lines.push(`    if (have.has(day)) continue;`);
        const numbered = rule.numbered
          ? ` ${prop("copy", rule.numbered)} = \`\${${prop(holder, holderTable?.key ?? "id")}}-\${++next}\`;`
          : "";
        this.lines.push(`    const copy = JSON.parse(JSON.stringify(model)); copy.${rule.dateField} = day;${numbered}`);
        for (const [name, v] of Object.entries(rule.set ?? {})) this.lines.push(`    ${prop("copy", name)} = ${this.#value(v)};`);
        this.lines.push(`    kept.push(copy);`);
        this.lines.push(`  }`);
        // A list of nothing but daily entries is kept in the order of its days.
        if (!rule.only)
          this.lines.push(
            `  kept.sort((a: any, b: any) => (a?.${rule.dateField} < b?.${rule.dateField} ? -1 : a?.${rule.dateField} > b?.${rule.dateField} ? 1 : 0));`,
          );
        this.lines.push(`  ${at} = kept;`);
        this.lines.push(`}`);
        break;
      }
      case "slot-take":
      case "slot-release": {
        const map = this.#place(rule.place);
        const key = this.#value(rule.key);
        const value = this.#value(rule.value);
        this.lines.push(`{`);
        this.lines.push(`  const slots = ${map} ?? (${map} = {});`);
        this.lines.push(`  const day: unknown[] = slots[String(${key})] ?? [];`);
        this.lines.push(
          rule.kind === "slot-take"
            ? `  slots[String(${key})] = day.filter((v) => v !== ${value});`
            : `  if (!day.includes(${value})) slots[String(${key})] = [...day, ${value}].sort();`,
        );
        this.lines.push(`}`);
        break;
      }
    }
  }
}

const arg = (name: string) => prop("args", name);

/** `record.address.zip`; `optional` reads with ?. after the first step. */
function path(variable: string, steps: readonly string[], optional: boolean): string {
  let out = variable;
  steps.forEach((step, i) => {
    const safe = /^[A-Za-z_$][\w$]*$/.test(step);
    out += optional && i >= 0 ? (safe ? `?.${step}` : `?.[${q(step)}]`) : safe ? `.${step}` : `[${q(step)}]`;
  });
  return out;
}

function ident(entity: string): string {
  const id = entity.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ""));
  return /^[A-Za-z_$]/.test(id) ? id : `r${id}`;
}

/** The key-field argument of `entryIn`, for lists of records. */
function keyArg(keyField: string | undefined): string {
  return keyField ? `, ${JSON.stringify(keyField)}` : "";
}

/** A condition in words, for the refusal a broken requirement gives. */
function conditionText(c: Condition): string {
  const side = (v: ValueExpr): string =>
    v.kind === "parameter"
      ? [v.name, ...(v.path ?? [])].join(".")
      : v.kind === "read"
        ? [...v.place.hops.map((h) => h.table), ...v.place.path].join(".")
        : v.kind === "constant"
          ? JSON.stringify(v.value)
          : v.kind;
  const ops: Record<Condition["op"], string> = {
    "==": "must equal",
    "!=": "must differ from",
    "<": "must be below",
    "<=": "must be at most",
    ">": "must be above",
    ">=": "must be at least",
    given: "must be given",
    absent: "must not be set",
    in: "must be one of",
    "not-in": "must not be one of",
  };
  return `${side(c.left)} ${ops[c.op]}${c.right ? ` ${side(c.right)}` : ""}`;
}

/**
 * The one record of a collection that holds one (a session, settings): under `current` as envscale
 * reads a service's data, or the collection itself as a state file may give it.
 */
function single(rows: string): string {
  return `(${rows}?.current ?? ${rows})`;
}
