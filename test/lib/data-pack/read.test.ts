// Reading a domain pack's data: every shape a service keeps its records in, and every broken one
// refused with the file and the collection named.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { inDataShape, readData } from "../../../lib/data-pack/read.ts";
import { tempDir } from "../../support/helpers.ts";

const write = (dir: string, name: string, value: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof value === "string" ? value : JSON.stringify(value));
  return path;
};

describe("domain pack data", () => {
  it("reads collections keyed by id, and lists keyed by id, <entity>_id, a key-like field or the first distinct one", async () => {
    const dir = tempDir();
    const path = write(dir, "data.json", {
      users: { u1: { user_id: "u1", name: "A" } },
      orders: [
        { order_id: "o2", total: 3 },
        { order_id: "o1", total: 4 },
      ],
      products: [{ sku: "S-1", name: "tent" }],
      notes: [
        { title: "first", body: "x" },
        { title: "second", body: "x" },
      ],
    });
    const read = await readData(path);
    expect(Object.keys(read.data.users ?? {})).toEqual(["u1"]);
    expect(Object.keys(read.data.orders ?? {})).toEqual(["o2", "o1"]);
    expect(read.lists).toEqual({ orders: "order_id", products: "sku", notes: "title" });
    // Back in the data's shape: lists in their order, new records after, removed ones gone.
    const state = structuredClone(read.data);
    delete state.orders?.o2;
    (state.orders as Record<string, unknown>).o3 = { order_id: "o3", total: 1 };
    expect(inDataShape(state, read, read.data).orders).toEqual([
      { order_id: "o1", total: 4 },
      { order_id: "o3", total: 1 },
    ]);
  });

  it("keeps a collection that is one record of fields as it is, and keys records with no key of their own by position", async () => {
    const dir = tempDir();
    write(dir, "settings.json", { company: "Acme", next_order_number: 1043, fees: { late: 500 } });
    write(dir, "session.json", { user: { id: 7 }, device: { name: "phone" } });
    write(dir, "log.json", [
      { at: "2025-01-01", event: "open" },
      { at: "2025-01-01", event: "open" },
    ]);
    write(dir, "types.json", { Vacation: { unit: "hours" }, Sick: { unit: "hours" } });
    const read = await readData(dir);
    expect(read.singles).toEqual(["session", "settings"]);
    expect(read.data.settings).toEqual({ current: { company: "Acme", next_order_number: 1043, fees: { late: 500 } } });
    expect(read.lists).toEqual({ log: "#" });
    expect(Object.keys(read.data.log ?? {})).toEqual(["0", "1"]);
    // Records keyed by a name are a map of records, not one record.
    expect(Object.keys(read.data.types ?? {})).toEqual(["Vacation", "Sick"]);
    const state = structuredClone(read.data);
    (state.settings?.current as Record<string, unknown>).next_order_number = 1044;
    (state.log as Record<string, unknown>)["2"] = { at: "2025-01-02", event: "close" };
    const back = inDataShape(state, read, read.data);
    expect(back.settings).toEqual({ company: "Acme", next_order_number: 1044, fees: { late: 500 } });
    expect(back.session).toEqual({ user: { id: 7 }, device: { name: "phone" } });
    expect(back.log).toEqual([
      { at: "2025-01-01", event: "open" },
      { at: "2025-01-01", event: "open" },
      { at: "2025-01-02", event: "close" },
    ]);
  });

  it("reads a folder of <collection>.json files", async () => {
    const dir = tempDir();
    write(dir, "lines.json", [{ line_id: "L1" }, { line_id: "L2" }]);
    write(dir, "plans.json", { basic: { plan_id: "basic" } });
    write(dir, "README.txt", "not data");
    const read = await readData(dir);
    expect(Object.keys(read.data).sort()).toEqual(["lines", "plans"]);
  });

  it("refuses broken data, naming the file and the collection", async () => {
    const dir = tempDir();
    const cases: [unknown, RegExp][] = [
      ["{not json", /is not JSON/],
      [[1, 2], /must be a JSON object of collections/],
      [{ "bad name": {} }, /collection "bad name": a collection name must be an identifier/],
      [{ orders: [1, 2] }, /collection "orders": a list collection must hold records/],
      [{ orders: "text" }, /collection "orders": a collection is an object of records by key, a list of records, or one record of fields/],
      [JSON.parse('{"orders": {"__proto__": {"x": 1}}}'), /the key __proto__ is refused/],
      [{}, /holds no collection/],
    ];
    for (const [value, message] of cases) {
      const path = write(dir, "data.json", value);
      await expect(readData(path), String(message)).rejects.toThrow(message);
    }
    await expect(readData(join(dir, "missing.json"))).rejects.toThrow(/does not exist/);
    const empty = join(dir, "empty");
    mkdirSync(empty);
    await expect(readData(empty)).rejects.toThrow(/holds no \.json file/);
  });
});
