// What derived rules make calls do, class by class of the faults seen on services nobody here had
// tuned for: each on a small service of our own, built as the pipeline builds it (tables off the
// data, the rules stage, the templates, the sandbox), each call's outcome and the final state
// asserted exactly. No fixture names a benchmark's tools or fields.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clockOf } from "../../../lib/service-tools/clock.ts";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const S = (description = "") => ({ type: "string", description });
const I = (description = "") => ({ type: "integer", description });
const N = (description = "") => ({ type: "number", description });
const A = (description = "") => ({ type: "array", items: { type: "string" }, description });

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await Sandbox.start({ processes: 1 });
});
afterAll(async () => {
  await sandbox?.close();
});

const desk = () => ({
  settings: { name: "Desk", time_zone: "UTC", next_ticket_id: 103, next_comment_id: 9002 },
  users: {
    "7": { id: 7, name: "Ana Ruiz", email: "ana@example.com", role: "end-user" },
    "8": { id: 8, name: "Bo Lind", email: "bo@example.com", role: "agent" },
  },
  tickets: {
    "101": {
      id: 101,
      requester_id: 7,
      subject: "Cannot log in",
      status: "open",
      priority: "normal",
      tags: ["login"],
      comments: [{ id: 9000, author_id: 7, body: "It fails", created_at: "2025-01-01T10:00:00Z" }],
      updated_at: "2025-01-01T10:00:00Z",
    },
    "102": {
      id: 102,
      requester_id: 7,
      subject: "Invoice copy",
      status: "closed",
      priority: "low",
      tags: [],
      comments: [{ id: 9001, author_id: 7, body: "Please send it", created_at: "2025-01-02T10:00:00Z" }],
      updated_at: "2025-01-02T10:00:00Z",
    },
  },
});

const deskTools = [
  toolSpec("get_user", { user_id: I("The user's id.") }, ["user_id"], "Show a user by id."),
  toolSpec(
    "create_ticket",
    { requester_id: I("Who asks."), subject: S("One line.") },
    ["requester_id", "subject"],
    'Creates a ticket for a requester; its status is "new". The id is settings.next_ticket_id, which is then incremented.',
  ),
  toolSpec(
    "update_ticket",
    { ticket_id: I(), subject: S("New subject."), priority: { type: "string", enum: ["low", "normal", "high"] } },
    ["ticket_id"],
    "Updates a ticket; send only the fields to change. Closed tickets cannot be updated.",
  ),
  toolSpec(
    "add_ticket_tags",
    { ticket_id: I(), tags: A("Tags to add.") },
    ["ticket_id", "tags"],
    "Adds tags to a ticket, skipping any already present.",
  ),
  toolSpec("remove_ticket_tags", { ticket_id: I(), tags: A("Tags to remove.") }, ["ticket_id", "tags"], "Removes tags from a ticket."),
  toolSpec(
    "add_ticket_comment",
    { ticket_id: I(), author_id: I("Who writes."), body: S("The text.") },
    ["ticket_id", "author_id", "body"],
    "The comment is appended to the ticket's comments; its id is settings.next_comment_id. updated_at is set to now.",
  ),
];

describe("a help desk: integer keys, counters, optional fields, lists of values and of entries", () => {
  it("keeps integer keys as the data writes them and takes new ids from the counters it keeps", async () => {
    const env = await serviceEnvironment(sandbox, deskTools, desk(), "Today is 2025-05-06.");
    const { outcomes, state } = await env.run([
      { tool: "get_user", arguments: { user_id: 7 } },
      { tool: "create_ticket", arguments: { requester_id: 7, subject: "Printer" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    const tickets = state.tickets as Record<string, Record<string, unknown>>;
    expect(tickets["103"]).toMatchObject({ id: 103, requester_id: 7, subject: "Printer", status: "new" });
    expect((state.settings as Record<string, unknown>).next_ticket_id).toBe(104);
  });

  it("changes only the optional fields a call gives, and refuses the state the description refuses", async () => {
    const env = await serviceEnvironment(sandbox, deskTools, desk());
    const { outcomes, state } = await env.run([
      { tool: "update_ticket", arguments: { ticket_id: 101, priority: "high" } },
      { tool: "update_ticket", arguments: { ticket_id: 102, subject: "x" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false]);
    const ticket = (state.tickets as Record<string, Record<string, unknown>>)["101"];
    expect(ticket).toMatchObject({ subject: "Cannot log in", priority: "high" });
  });

  it("adds values to a list once each, takes them out, and appends an entry made from the call with the counter's id", async () => {
    const env = await serviceEnvironment(sandbox, deskTools, desk(), "Today is 2025-05-06 and the time is 10:00 UTC.");
    const { outcomes, state } = await env.run([
      { tool: "add_ticket_tags", arguments: { ticket_id: 101, tags: ["login", "urgent", "vpn"] } },
      { tool: "remove_ticket_tags", arguments: { ticket_id: 101, tags: ["vpn"] } },
      { tool: "add_ticket_comment", arguments: { ticket_id: 101, author_id: 8, body: "Reset done" } },
    ]);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const ticket = (state.tickets as Record<string, Record<string, unknown>>)["101"] as Record<string, unknown>;
    expect(ticket.tags).toEqual(["login", "urgent"]);
    expect((ticket.comments as unknown[]).at(-1)).toMatchObject({ id: 9002, author_id: 8, body: "Reset done" });
    expect((state.settings as Record<string, unknown>).next_comment_id).toBe(9003);
    expect(ticket.updated_at).toMatch(/^2025-05-06T10:00/);
  });
});

const lines = () => ({
  customers: {
    c1: { customer_id: "c1", full_name: "Ada Moss", date_of_birth: "1980-02-03" },
    c2: { customer_id: "c2", full_name: "Ada Moss", date_of_birth: "1991-07-08" },
  },
  lines: {
    l1: { line_id: "l1", customer_id: "c1", phone_number: "+1 555 0101", status: "Active", data_gb: 5, suspension_date: null },
    l2: { line_id: "l2", customer_id: "c2", phone_number: "+1 555 0102", status: "Suspended", data_gb: 2, suspension_date: "2025-01-01" },
  },
  bills: {
    b1: { bill_id: "b1", customer_id: "c1", status: "Open", total: 40 },
    b2: { bill_id: "b2", customer_id: "c2", status: "Paid", total: 12 },
  },
});

const lineTools = [
  toolSpec("find_customer_by_phone", { phone_number: S() }, ["phone_number"], "Find the customer who holds a phone number."),
  toolSpec(
    "find_customer_by_name_and_dob",
    { full_name: S(), date_of_birth: S("YYYY-MM-DD") },
    ["full_name", "date_of_birth"],
    "Look up a customer's id by full name and date of birth.",
  ),
  toolSpec("get_bills_for_customer", { customer_id: S() }, ["customer_id"], "List the bills of a customer."),
  toolSpec(
    "send_payment_request",
    { customer_id: S(), bill_id: S() },
    ["customer_id", "bill_id"],
    "Sends a payment request for a bill. Sets the bill status to AWAITING_PAYMENT.",
  ),
  toolSpec(
    "resume_line",
    { customer_id: S(), line_id: S() },
    ["customer_id", "line_id"],
    "Resumes a suspended line: its status becomes active and the suspension date is cleared.",
  ),
  toolSpec(
    "refuel_data",
    { customer_id: S(), line_id: S(), gb_amount: N("GB to add.") },
    ["customer_id", "line_id", "gb_amount"],
    "Adds gb_amount to the line's data_gb.",
  ),
];

describe("a phone company: look-ups across records, owners checked not overwritten, effects said in other words", () => {
  it("finds a customer by a number their line holds, and by every field given", async () => {
    const env = await serviceEnvironment(sandbox, lineTools, lines());
    const { outcomes } = await env.run([
      { tool: "find_customer_by_phone", arguments: { phone_number: "+1 555 0102" } },
      { tool: "find_customer_by_name_and_dob", arguments: { full_name: "Ada Moss", date_of_birth: "1991-07-08" } },
      { tool: "get_bills_for_customer", arguments: { customer_id: "c1" } },
    ]);
    expect(outcomes[0]).toMatchObject({ ok: true, result: { customer_id: "c2", date_of_birth: "1991-07-08" } });
    expect(outcomes[1]).toMatchObject({ ok: true, result: "c2" });
    expect(outcomes[2]).toMatchObject({ ok: true, result: [{ bill_id: "b1", customer_id: "c1", status: "Open", total: 40 }] });
  });

  it("checks a customer_id against the record's owner instead of writing it, and sets a state the data never shows", async () => {
    const env = await serviceEnvironment(sandbox, lineTools, lines());
    const { outcomes, state } = await env.run([
      { tool: "send_payment_request", arguments: { customer_id: "c2", bill_id: "b1" } },
      { tool: "send_payment_request", arguments: { customer_id: "c1", bill_id: "b1" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true]);
    expect((state.bills as Record<string, unknown>).b1).toEqual({
      bill_id: "b1",
      customer_id: "c1",
      status: "AWAITING_PAYMENT",
      total: 40,
    });
  });

  it("writes a state in the data's own spelling, clears what the description clears, and adds to a number", async () => {
    const env = await serviceEnvironment(sandbox, lineTools, lines());
    const { outcomes, state } = await env.run([
      { tool: "resume_line", arguments: { customer_id: "c2", line_id: "l2" } },
      { tool: "refuel_data", arguments: { customer_id: "c1", line_id: "l1", gb_amount: 2 } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    expect((state.lines as Record<string, unknown>).l2).toMatchObject({ status: "Active", suspension_date: null, customer_id: "c2" });
    expect((state.lines as Record<string, unknown>).l1).toMatchObject({ data_gb: 7, customer_id: "c1" });
  });
});

describe("a device and its session: records of settings, writes whatever their verb", () => {
  const phone = () => ({
    device: { wifi_enabled: false, cellular_enabled: true },
    messages: [{ message_id: "m1", to: "+1 555 0100", body: "hello", sent_at: "2025-01-01T09:00:00Z" }],
  });
  const tools = [
    toolSpec("turn_on_wifi", {}, [], "Turns wifi on."),
    toolSpec(
      "send_message",
      { to: S("Phone number."), body: S("Text.") },
      ["to", "body"],
      "Sends a message to a phone number. Cellular service must be on.",
    ),
  ];

  it("turns a flag of a single record on, and a send creates the message it sends", async () => {
    const env = await serviceEnvironment(sandbox, tools, phone());
    expect(env.rules.tools.map((t) => t.access)).toEqual(["write", "write"]);
    const { outcomes, state } = await env.run([
      { tool: "turn_on_wifi", arguments: {} },
      { tool: "send_message", arguments: { to: "+1 555 0199", body: "on my way" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    expect(state.device).toEqual({ wifi_enabled: true, cellular_enabled: true });
    expect((state.messages as unknown[]).at(-1)).toMatchObject({ to: "+1 555 0199", body: "on my way" });
  });
});

describe("shapes a service keeps its data in", () => {
  it("keys records a name files with a key of their own, never a second field of the name they hold", async () => {
    const data = {
      accounts: { ana: { user_id: 31, display_name: "Ana" }, bo: { user_id: 32, display_name: "Bo" } },
      log: [
        { at: "2025-01-01", event: "open" },
        { at: "2025-01-01", event: "open" },
      ],
    };
    const tools = [toolSpec("get_account", { account_id: S("The account's name.") }, ["account_id"], "Get an account.")];
    const env = await serviceEnvironment(sandbox, tools, data);
    const accounts = env.schema.tables.find((t) => t.name === "accounts");
    expect(accounts?.fields.map((f) => f.name)).toEqual(["account_id", "user_id", "display_name"]);
    expect(env.schema.tables.find((t) => t.name === "log")?.storage).toBe("position");
    const { outcomes } = await env.run([{ tool: "get_account", arguments: { account_id: "bo" } }]);
    expect(outcomes[0]).toEqual({ ok: true, result: { user_id: 32, display_name: "Bo" } });
  });
});

describe("a club: entries of a kind the name gives, and a state that names the act", () => {
  const club = () => ({
    members: {
      m1: {
        member_id: "m1",
        wallet: {
          card_1: { id: "card_1", source: "card", brand: "visa" },
          voucher_1000001: { id: "voucher_1000001", source: "voucher", amount: 20 },
        },
      },
    },
    visits: {
      v1: { visit_id: "v1", member_id: "m1", status: "scheduled", time: "10:00" },
      v2: { visit_id: "v2", member_id: "m1", status: "scheduled (time changed)", time: "11:00" },
      v3: { visit_id: "v3", member_id: "m1", status: "done", time: "09:00" },
    },
  });
  const tools = [
    toolSpec("issue_voucher", { member_id: S(), amount: N("Its value.") }, ["member_id", "amount"], "Issue a voucher to a member."),
    toolSpec(
      "change_scheduled_visit_time",
      { visit_id: S(), time: S("HH:MM") },
      ["visit_id", "time"],
      "Move a scheduled visit to another time.",
    ),
  ];

  it("puts an entry of the named kind among the record's entries, shaped as the data's entries of that kind", async () => {
    const env = await serviceEnvironment(sandbox, tools, club());
    const { outcomes, state } = await env.run([{ tool: "issue_voucher", arguments: { member_id: "m1", amount: 35 } }]);
    expect(outcomes[0]?.ok).toBe(true);
    const wallet = ((state.members as Record<string, Record<string, unknown>>).m1 as Record<string, unknown>).wallet as Record<
      string,
      unknown
    >;
    expect(wallet.voucher_1000002).toEqual({ id: "voucher_1000002", source: "voucher", amount: 35 });
  });

  it("leads to the data's state that names the act and what it acts on", async () => {
    const env = await serviceEnvironment(sandbox, tools, club());
    const { outcomes, state } = await env.run([{ tool: "change_scheduled_visit_time", arguments: { visit_id: "v1", time: "12:30" } }]);
    expect(outcomes[0]?.ok).toBe(true);
    expect((state.visits as Record<string, unknown>).v1).toEqual({
      visit_id: "v1",
      member_id: "m1",
      status: "scheduled (time changed)",
      time: "12:30",
    });
  });
});

describe("a rule goes where its words point", () => {
  it("puts a policy's list of reasons on the reason, not on the order it is about", async () => {
    const data = { orders: { o1: { order_id: "o1", status: "pending" }, o2: { order_id: "o2", status: "shipped" } } };
    const tools = [
      toolSpec("cancel_pending_order", { order_id: S(), reason: S("Why.") }, ["order_id", "reason"], "Cancel a pending order."),
    ];
    const policy = "To cancel an order, the reason must be either 'no longer needed' or 'ordered by mistake'.";
    const env = await serviceEnvironment(sandbox, tools, data, policy);
    const { outcomes, state } = await env.run([
      { tool: "cancel_pending_order", arguments: { order_id: "o1", reason: "changed my mind" } },
      { tool: "cancel_pending_order", arguments: { order_id: "o2", reason: "ordered by mistake" } },
      { tool: "cancel_pending_order", arguments: { order_id: "o1", reason: "ordered by mistake" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, false, true]);
    expect((state.orders as Record<string, unknown>).o1).toMatchObject({ status: "cancelled" });
  });
});

describe("the clock a policy sets", () => {
  it("reads 'today' in the ways policies write it", () => {
    expect(clockOf("- Today is 2025-06-12.")).toBe("2025-06-12T09:00:00Z");
    expect(clockOf("The current time is 2024-05-15 15:00:00 EST.")).toBe("2024-05-15T20:00:00Z");
    expect(clockOf("As of today's date, June 3, 2025, refunds take a week.")).toBe("2025-06-03T09:00:00Z");
    expect(clockOf("Refunds take 5-7 days.")).toBeNull();
    // A day said alone takes the one time the text gives that day elsewhere.
    expect(clockOf("- Today is Thursday 2025-06-12.\n- Every timestamp the service writes is 2025-06-12T12:00:00Z.")).toBe(
      "2025-06-12T12:00:00Z",
    );
    expect(clockOf("Today is 2025-06-12. Orders placed 2025-06-10T08:00:00Z ship first.")).toBe("2025-06-12T09:00:00Z");
    expect(clockOf("- Today is 2025-10-14; the current time is 2025-10-14T15:00:00Z, and every record is stamped with it.")).toBe(
      "2025-10-14T15:00:00Z",
    );
  });
});
