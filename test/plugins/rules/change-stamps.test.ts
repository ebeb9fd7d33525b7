// A record's last-change stamp (`last_modified`, `updatedAt`) moves to the clock whenever a call
// changes the record, though no text says so: the tool's own record and a record it reaches (the
// kennel a boarding holds) alike; a record the call leaves alone keeps its stamp.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../../sandbox/index.ts";
import { serviceEnvironment } from "../../support/service-env.ts";
import { toolSpec } from "../../support/tools.ts";

const data = {
  kennels: {
    k_1: { id: "k_1", occupied: false, updatedAt: "2025-02-01T08:00:00Z" },
    k_2: { id: "k_2", occupied: false, updatedAt: "2025-02-02T08:00:00Z" },
    k_3: { id: "k_3", occupied: true, updatedAt: "2025-02-03T08:00:00Z" },
  },
  boardings: {
    b_1: {
      id: "b_1",
      dog: "Rex",
      notes: "",
      status: "BOOKED",
      kennel_id: "k_1",
      created_on: "2025-01-10T10:00:00Z",
      last_modified: "2025-01-11T10:00:00Z",
    },
    b_2: {
      id: "b_2",
      dog: "Fido",
      notes: "",
      status: "BOOKED",
      kennel_id: "k_2",
      created_on: "2025-01-12T10:00:00Z",
      last_modified: "2025-01-12T11:00:00Z",
    },
    b_3: {
      id: "b_3",
      dog: "Luna",
      notes: "",
      status: "ACTIVE",
      kennel_id: "k_3",
      created_on: "2025-01-13T10:00:00Z",
      last_modified: "2025-01-14T10:00:00Z",
    },
  },
};

const checkIn = toolSpec(
  "check_in_boarding",
  { boarding_id: { type: "string" } },
  ["boarding_id"],
  "Checks the dog of a BOOKED boarding in. The boarding's status becomes ACTIVE and its kennel becomes occupied.",
);

describe("last-change stamps", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start({ processes: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("sets the stamp of every record the call changes to the clock, and of no other", async () => {
    const env = await serviceEnvironment(sandbox, [checkIn], data, "Today is 2025-03-05 and the time is 14:30 UTC.");
    const { outcomes, state } = await env.run([{ tool: "check_in_boarding", arguments: { boarding_id: "b_1" } }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true]);
    const boardings = state.boardings as Record<string, Record<string, unknown>>;
    const kennels = state.kennels as Record<string, Record<string, unknown>>;
    expect(boardings.b_1).toMatchObject({ status: "ACTIVE", created_on: "2025-01-10T10:00:00Z", last_modified: "2025-03-05T14:30:00Z" });
    expect(kennels.k_1).toEqual({ id: "k_1", occupied: true, updatedAt: "2025-03-05T14:30:00Z" });
    expect(boardings.b_2).toEqual(data.boardings.b_2);
    expect(kennels.k_2).toEqual(data.kennels.k_2);
  });

  it("moves the stamp on a call that gives any of an update's optional fields, not only the first", async () => {
    const update = toolSpec(
      "update_boarding",
      { boarding_id: { type: "string" }, dog: { type: "string" }, notes: { type: "string" } },
      ["boarding_id"],
      "Update a boarding's dog or notes.",
    );
    const env = await serviceEnvironment(sandbox, [update], data, "Today is 2025-03-05 and the time is 14:30 UTC.");
    const { outcomes, state } = await env.run([
      { tool: "update_boarding", arguments: { boarding_id: "b_2", notes: "Needs a blanket." } },
      { tool: "update_boarding", arguments: { boarding_id: "b_3", dog: "Luna II" } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    const boardings = state.boardings as Record<string, Record<string, unknown>>;
    expect(boardings.b_2).toMatchObject({ notes: "Needs a blanket.", last_modified: "2025-03-05T14:30:00Z" });
    // The clock moves on a second a call.
    expect(boardings.b_3).toMatchObject({ dog: "Luna II", last_modified: "2025-03-05T14:30:01Z" });
  });
});
