// A seeded service pack of the size real retail services have: 16 tools (7 of them writes), users
// with coherent addresses and payment methods, orders of real products' variants, and a policy.
// The same seed always writes the same bytes. Values that belong together are drawn together: a
// city with its state and a zip of that state, a product's variant with its real options and price,
// an order's payment from the user's own methods.
//
//   node bench/support/retail-pack.ts OUT_DIR [--seed N] [--users N] [--orders N] [--products N]

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Rng } from "../../kernel/rng.ts";

export interface RetailPackSize {
  users: number;
  orders: number;
  products: number;
}

const FIRST = [
  "Ava",
  "Liam",
  "Olivia",
  "Noah",
  "Emma",
  "Mason",
  "Sophia",
  "Ethan",
  "Isabella",
  "Lucas",
  "Mia",
  "Yusuf",
  "Amelia",
  "Omar",
  "Harper",
  "Mei",
  "Evelyn",
  "Raj",
  "Chloe",
  "Daniel",
  "Aisha",
  "Mateo",
  "Sofia",
  "James",
  "Lena",
  "Ivan",
  "Fatima",
  "Hiro",
  "Grace",
  "Diego",
  "Nora",
  "Kwame",
  "Zoe",
  "Arjun",
  "Lucy",
  "Anton",
  "Priya",
  "Samuel",
  "Ingrid",
  "Tomás",
];
const LAST = [
  "Johnson",
  "Garcia",
  "Nguyen",
  "Smith",
  "Patel",
  "Kim",
  "Lopez",
  "Brown",
  "Silva",
  "Müller",
  "Rossi",
  "Khan",
  "Ito",
  "Okafor",
  "Martin",
  "Anderson",
  "Hughes",
  "Kowalski",
  "Moreau",
  "Santos",
  "Lindqvist",
  "Cohen",
  "Novak",
  "Ahmed",
  "Wright",
  "Chen",
  "Dubois",
  "Sato",
  "Ivanova",
  "Reyes",
];
/** Cities with their state and the zip prefixes of that state: an address is one place. */
const PLACES: { city: string; state: string; zip: [number, number] }[] = [
  { city: "Austin", state: "TX", zip: [78701, 78759] },
  { city: "Houston", state: "TX", zip: [77002, 77099] },
  { city: "Dallas", state: "TX", zip: [75201, 75254] },
  { city: "San Diego", state: "CA", zip: [92101, 92199] },
  { city: "San Francisco", state: "CA", zip: [94102, 94134] },
  { city: "Los Angeles", state: "CA", zip: [90001, 90089] },
  { city: "Seattle", state: "WA", zip: [98101, 98199] },
  { city: "Portland", state: "OR", zip: [97201, 97239] },
  { city: "Denver", state: "CO", zip: [80202, 80249] },
  { city: "Chicago", state: "IL", zip: [60601, 60661] },
  { city: "New York", state: "NY", zip: [10001, 10282] },
  { city: "Boston", state: "MA", zip: [2108, 2137] },
  { city: "Philadelphia", state: "PA", zip: [19102, 19154] },
  { city: "Atlanta", state: "GA", zip: [30303, 30363] },
  { city: "Miami", state: "FL", zip: [33125, 33199] },
  { city: "Phoenix", state: "AZ", zip: [85003, 85054] },
  { city: "Columbus", state: "OH", zip: [43201, 43235] },
  { city: "Charlotte", state: "NC", zip: [28202, 28282] },
  { city: "Minneapolis", state: "MN", zip: [55401, 55488] },
  { city: "Nashville", state: "TN", zip: [37201, 37250] },
];
const STREETS = [
  "Maple Avenue",
  "Oak Street",
  "Cedar Lane",
  "Pine Road",
  "Elm Street",
  "Lakeview Drive",
  "Hillside Avenue",
  "River Road",
  "Park Place",
  "Sunset Boulevard",
  "Highland Avenue",
  "Willow Way",
  "Chestnut Street",
  "Main Street",
  "Spruce Court",
];
const SUITES = ["Suite", "Apt", "Unit"];
const BRANDS = ["visa", "mastercard", "amex", "discover"];

/** Product types and the options their variants have. */
const PRODUCT_TYPES: { name: string; options: Record<string, string[]>; price: [number, number] }[] = [
  { name: "T-Shirt", options: { color: ["blue", "black", "white", "red"], size: ["S", "M", "L", "XL"] }, price: [15, 40] },
  { name: "Hiking Boots", options: { size: ["8", "9", "10", "11"], material: ["leather", "synthetic"] }, price: [90, 220] },
  { name: "Backpack", options: { color: ["green", "grey", "black"], size: ["small", "medium", "large"] }, price: [40, 160] },
  { name: "Water Bottle", options: { capacity: ["500ml", "750ml", "1000ml"], color: ["blue", "red", "black"] }, price: [10, 45] },
  { name: "Desk Lamp", options: { color: ["white", "black", "silver"], brightness: ["low", "medium", "high"] }, price: [25, 120] },
  { name: "Running Shoes", options: { size: ["7", "8", "9", "10", "11"], color: ["black", "white", "blue"] }, price: [60, 180] },
  { name: "Jacket", options: { size: ["S", "M", "L"], color: ["navy", "olive", "black"] }, price: [80, 300] },
  { name: "Headphones", options: { type: ["over-ear", "in-ear"], color: ["black", "white"] }, price: [30, 350] },
  { name: "Coffee Maker", options: { capacity: ["4 cups", "8 cups", "12 cups"], color: ["black", "stainless"] }, price: [35, 250] },
  { name: "Yoga Mat", options: { thickness: ["4mm", "6mm"], color: ["purple", "green", "blue"] }, price: [20, 90] },
];
const PRODUCT_LINES = ["Summit", "Harbor", "Aurora", "Cascade", "Meridian"];

const pad = (n: number, width: number) => String(n).padStart(width, "0");
const money = (n: number) => Math.round(n * 100) / 100;

function address(rng: Rng) {
  const place = rng.pick(PLACES);
  return {
    address1: `${rng.int(10, 999)} ${rng.pick(STREETS)}`,
    address2: `${rng.pick(SUITES)} ${rng.int(1, 999)}`,
    city: place.city,
    state: place.state,
    country: "USA",
    zip: pad(rng.int(place.zip[0], place.zip[1]), 5),
  };
}

interface Variant {
  item_id: string;
  options: Record<string, string>;
  available: boolean;
  price: number;
}

function products(rng: Rng, count: number) {
  const out: Record<string, { product_id: string; name: string; variants: Record<string, Variant> }> = {};
  let item = 1_000_000;
  for (let i = 0; i < count; i++) {
    const type = PRODUCT_TYPES[i % PRODUCT_TYPES.length] as (typeof PRODUCT_TYPES)[number];
    const line = PRODUCT_LINES[Math.floor(i / PRODUCT_TYPES.length) % PRODUCT_LINES.length] as string;
    const product_id = `${8_000_000 + i * 37}`;
    const base = rng.int(type.price[0], type.price[1]);
    const variants: Record<string, Variant> = {};
    // Every combination of the type's options, some of them out of stock.
    let combos: Record<string, string>[] = [{}];
    for (const [option, values] of Object.entries(type.options))
      combos = combos.flatMap((combo) => values.map((value) => ({ ...combo, [option]: value })));
    for (const options of combos) {
      item += rng.int(1, 97);
      variants[String(item)] = {
        item_id: String(item),
        options,
        available: rng.chance(0.8),
        price: money(base + rng.int(-300, 300) / 100),
      };
    }
    out[product_id] = { product_id, name: `${line} ${type.name}`, variants };
  }
  return out;
}

/** The pack's data: users, orders, products, each a `{key: record}` collection. */
export function retailData(seed: number, size: RetailPackSize) {
  const rng = Rng.forRun(`retail-pack:${seed}`);
  const catalog = products(rng.fork("products"), size.products);
  const productList = Object.values(catalog);
  const users: Record<string, Record<string, unknown>> = {};
  const userIds: string[] = [];
  const urng = rng.fork("users");
  for (let i = 0; i < size.users; i++) {
    const first = urng.pick(FIRST);
    const last = urng.pick(LAST);
    const ascii = (s: string) =>
      s
        .normalize("NFD")
        .replace(/[^a-zA-Z]/g, "")
        .toLowerCase();
    const user_id = `${ascii(first)}_${ascii(last)}_${pad(1000 + i * 7, 4)}`;
    const methods: Record<string, Record<string, unknown>> = {};
    const card = `credit_card_${pad(urng.int(1_000_000, 9_999_999), 7)}`;
    methods[card] = { id: card, source: "credit_card", brand: urng.pick(BRANDS), last_four: pad(urng.int(0, 9999), 4) };
    if (urng.chance(0.5)) {
      const gift = `gift_card_${pad(urng.int(1_000_000, 9_999_999), 7)}`;
      methods[gift] = { id: gift, source: "gift_card", balance: urng.int(0, 300) };
    }
    if (urng.chance(0.4)) {
      const paypal = `paypal_${pad(urng.int(1_000_000, 9_999_999), 7)}`;
      methods[paypal] = { id: paypal, source: "paypal" };
    }
    users[user_id] = {
      user_id,
      name: { first_name: first, last_name: last },
      email: `${ascii(first)}.${ascii(last)}${i}@example.com`,
      address: address(urng),
      payment_methods: methods,
      orders: [],
    };
    userIds.push(user_id);
  }
  const orders: Record<string, Record<string, unknown>> = {};
  const orng = rng.fork("orders");
  const statuses = ["pending", "pending", "processed", "delivered", "delivered", "cancelled"];
  for (let i = 0; i < size.orders; i++) {
    const order_id = `#W${pad(2_000_000 + i * 13, 7)}`;
    const user_id = orng.pick(userIds);
    const user = users[user_id] as Record<string, unknown>;
    const status = orng.pick(statuses);
    const items: Record<string, unknown>[] = [];
    const count = orng.int(1, 4);
    const picked = new Set<string>();
    for (let n = 0; n < count; n++) {
      const product = orng.pick(productList);
      const variant = orng.pick(Object.values(product.variants));
      if (picked.has(variant.item_id)) continue;
      picked.add(variant.item_id);
      items.push({
        name: product.name,
        product_id: product.product_id,
        item_id: variant.item_id,
        price: variant.price,
        options: variant.options,
      });
    }
    const total = money(items.reduce((sum, item) => sum + (item.price as number), 0));
    const methods = Object.keys(user.payment_methods as object);
    const method = orng.pick(methods);
    const payment_history: Record<string, unknown>[] = [{ transaction_type: "payment", amount: total, payment_method_id: method }];
    if (status === "cancelled") payment_history.push({ transaction_type: "refund", amount: total, payment_method_id: method });
    const day = orng.int(1, 60);
    const placed = new Date(Date.UTC(2025, 3, 30) - day * 86_400_000).toISOString().slice(0, 10);
    orders[order_id] = {
      order_id,
      user_id,
      status,
      placed_on: placed,
      address: orng.chance(0.8) ? { ...(user.address as object) } : address(orng),
      items,
      payment_history,
      ...(status === "cancelled" ? { cancel_reason: orng.pick(["no longer needed", "ordered by mistake"]) } : {}),
    };
    (user.orders as string[]).push(order_id);
  }
  return { users, orders, products: catalog };
}

const text = (description: string) => ({ type: "string", description });
const ids = (description: string) => ({ type: "array", items: { type: "string" }, description });
const ADDRESS = {
  address1: text("The first line of the address, such as '123 Main St'."),
  address2: text("The second line of the address, such as 'Apt 1' or ''."),
  city: text("The city, such as 'San Francisco'."),
  state: text("The state, such as 'CA'."),
  country: text("The country, such as 'USA'."),
  zip: text("The zip code, such as '12345'."),
};
const ADDRESS_FIELDS = Object.keys(ADDRESS);

function tool(name: string, description: string, properties: Record<string, unknown>, required = Object.keys(properties)) {
  return { type: "function", function: { name, description, parameters: { type: "object", properties, required } } };
}

/** The 16 tools of the service. */
export function retailTools() {
  const order = { order_id: text("The order id, such as '#W2000013'.") };
  const payment = text("The id of one of the user's payment methods, such as 'gift_card_1234567' or 'credit_card_7654321'.");
  return [
    tool("find_user_id_by_email", "Find a user's id by their email address.", { email: text("The user's email address.") }),
    tool("find_user_id_by_name_zip", "Find a user's id by their first name, last name and zip code.", {
      first_name: text("The user's first name."),
      last_name: text("The user's last name."),
      zip: text("The zip code of the user's address."),
    }),
    tool("get_user_details", "Get a user's details: name, email, address, payment methods and order ids.", {
      user_id: text("The user's id, such as 'ava_johnson_1000'."),
    }),
    tool("get_order_details", "Get an order: its user, status, items, address and payment history.", order),
    tool("get_product_details", "Get a product and its variants: each item's options, price and availability.", {
      product_id: text("The product id, such as '8000037'."),
    }),
    tool("list_all_product_types", "List the names and product ids of every product type the store sells.", {}),
    tool(
      "cancel_pending_order",
      "Cancel a pending order. Only pending orders can be cancelled. The order status becomes 'cancelled'. The reason must be " +
        "'no longer needed' or 'ordered by mistake'.",
      { ...order, reason: text("Why the order is cancelled: 'no longer needed' or 'ordered by mistake'.") },
    ),
    tool("modify_pending_order_address", "Change the shipping address of a pending order. Only pending orders can be changed.", {
      ...order,
      ...ADDRESS,
    }),
    tool(
      "modify_pending_order_payment",
      "Change the payment method of a pending order to another payment method of the user. Only pending orders can be changed.",
      { ...order, payment_method_id: payment },
    ),
    tool(
      "modify_pending_order_items",
      "Swap items of a pending order for other variants of the same products. Only pending orders can be modified, and only once: " +
        "the order status becomes 'pending (item modified)'. The price difference is paid or refunded with a payment method of the user.",
      {
        ...order,
        item_ids: ids("The item ids to be modified, such as ['1008292']."),
        new_item_ids: ids("The item ids of the new variants, in the same order, such as ['1008293']."),
        payment_method_id: payment,
      },
    ),
    tool(
      "return_delivered_order_items",
      "Return items of a delivered order. Only delivered orders can be returned. The order status becomes 'return requested', the " +
        "items to return are recorded, and the refund goes to a payment method of the user.",
      { ...order, item_ids: ids("The item ids to return, such as ['1008292']."), payment_method_id: payment },
    ),
    tool(
      "exchange_delivered_order_items",
      "Exchange items of a delivered order for other variants of the same products. Only delivered orders can be exchanged. The " +
        "order status becomes 'exchange requested'. The price difference is paid or refunded with a payment method of the user.",
      {
        ...order,
        item_ids: ids("The item ids to exchange, such as ['1008292']."),
        new_item_ids: ids("The item ids of the new variants, in the same order, such as ['1008293']."),
        payment_method_id: payment,
      },
    ),
    tool("modify_user_address", "Change a user's default address.", {
      user_id: text("The user's id, such as 'ava_johnson_1000'."),
      ...ADDRESS,
    }),
    tool(
      "transfer_to_human_agents",
      "Transfer the user to a human agent, with a summary of their problem. Only when the request cannot be handled with the other tools.",
      {
        summary: text("What the user needs."),
      },
    ),
    tool("calculate", "Calculate the result of an arithmetic expression.", { expression: text("The expression, such as '2 * 59.95'.") }),
    tool("think", "Think about the problem; changes nothing.", { thought: text("A thought.") }),
  ];
}

export const RETAIL_POLICY = `# Harbor & Co. retail support policy

You help users of Harbor & Co., an online store, with their orders, returns, exchanges and account.

- Identify the user before anything else: by email, or by first name, last name and zip code. Act only on
  the orders and payment methods of the user you identified.
- Before a change, say what will change and ask the user to confirm.
- An order is pending, processed, delivered or cancelled. A pending order can be cancelled, its address or
  payment method changed, or its items swapped for other variants of the same products (once).
- A cancellation reason is one of: no longer needed, ordered by mistake.
- Delivered orders can be returned or exchanged, in part or in full. Refunds go to a payment method of the user.
- A gift card must have enough balance to pay a price difference.
- Transfer to a human agent only when the request is beyond these tools.
`;

/** Write the pack (tools.json, data/, policy.md) into `dir`. */
export function writeRetailPack(dir: string, seed: number, size: RetailPackSize): { tools: string; data: string; policy: string } {
  const data = retailData(seed, size);
  mkdirSync(join(dir, "data"), { recursive: true });
  const paths = { tools: join(dir, "tools.json"), data: join(dir, "data"), policy: join(dir, "policy.md") };
  writeFileSync(paths.tools, `${JSON.stringify(retailTools(), null, 2)}\n`);
  for (const [name, collection] of Object.entries(data))
    writeFileSync(join(paths.data, `${name}.json`), `${JSON.stringify(collection, null, 1)}\n`);
  writeFileSync(paths.policy, RETAIL_POLICY);
  return paths;
}

export const ADDRESS_PARAMETERS = ADDRESS_FIELDS;

if (import.meta.main) {
  const args = process.argv.slice(2);
  const flag = (name: string, fallback: number) => {
    const at = args.indexOf(name);
    return at >= 0 ? Number(args[at + 1]) : fallback;
  };
  const out = args.find((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
  if (!out) {
    console.error("usage: node bench/support/retail-pack.ts OUT_DIR [--seed N] [--users N] [--orders N] [--products N]");
    process.exit(2);
  }
  const paths = writeRetailPack(out, flag("--seed", 1), {
    users: flag("--users", 500),
    orders: flag("--orders", 1000),
    products: flag("--products", 50),
  });
  console.log(JSON.stringify(paths));
}
