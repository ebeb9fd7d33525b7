// The dependencies stage offline: edges confirmed by running A then B.
import { beforeAll, describe, expect, it } from "vitest";
import type { DependencyGraph } from "../../../lib/contracts/dependency-graph.ts";
import { domainOf, sharedExampleRun } from "../../support/example.ts";
import type { RunView } from "../../support/pipeline.ts";

let run: RunView;

beforeAll(async () => {
  run = sharedExampleRun();
}, 60_000);

describe("an offline run on the example catalog", () => {
  it("confirms dependencies by execution: outputs that feed inputs, and writes that change reads", () => {
    const airline = run.json<DependencyGraph>(`envs/${domainOf(run, "book_flight")}/dependencies.json`);
    expect(airline.edges).toContainEqual(
      expect.objectContaining({
        from: "book_flight",
        to: "get_reservation",
        via: { kind: "output", table: "reservations", field: "reservation_id", parameter: "reservation_id" },
      }),
    );
    expect(airline.edges).toContainEqual(expect.objectContaining({ from: "search_flights", to: "book_flight" }));
    const bank = run.json<DependencyGraph>(`envs/${domainOf(run, "transfer_funds")}/dependencies.json`);
    expect(bank.edges).toContainEqual(
      expect.objectContaining({ from: "transfer_funds", to: "get_account_balance", via: { kind: "state", table: "accounts" } }),
    );
    // Nothing depends on what cannot feed it: no edge ends at a tool that takes no input from the source.
    for (const edge of [...airline.edges, ...bank.edges]) expect(edge.from).not.toBe(edge.to);
    for (const miss of airline.unconfirmed) expect(miss.evidence.length).toBeGreaterThan(10);
  });
});
