// Agreement between two clusterings of the same items: adjusted Rand index and normalised mutual
// information (arithmetic normalisation, as scikit-learn's default).

function contingency(a: readonly string[], b: readonly string[]) {
  const table = new Map<string, Map<string, number>>();
  const rows = new Map<string, number>();
  const columns = new Map<string, number>();
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    const row = table.get(x) ?? new Map<string, number>();
    row.set(y, (row.get(y) ?? 0) + 1);
    table.set(x, row);
    rows.set(x, (rows.get(x) ?? 0) + 1);
    columns.set(y, (columns.get(y) ?? 0) + 1);
  }
  return { table, rows, columns, n: a.length };
}

const pairs = (k: number) => (k * (k - 1)) / 2;

export function adjustedRandIndex(a: readonly string[], b: readonly string[]): number {
  const { table, rows, columns, n } = contingency(a, b);
  if (n < 2) return 1;
  let index = 0;
  for (const row of table.values()) for (const count of row.values()) index += pairs(count);
  let rowPairs = 0;
  for (const count of rows.values()) rowPairs += pairs(count);
  let columnPairs = 0;
  for (const count of columns.values()) columnPairs += pairs(count);
  const expected = (rowPairs * columnPairs) / pairs(n);
  const maximum = (rowPairs + columnPairs) / 2;
  if (maximum === expected) return 1;
  return (index - expected) / (maximum - expected);
}

export function normalizedMutualInformation(a: readonly string[], b: readonly string[]): number {
  const { table, rows, columns, n } = contingency(a, b);
  if (n === 0) return 1;
  const entropy = (counts: Iterable<number>) => {
    let h = 0;
    for (const count of counts) if (count > 0) h -= (count / n) * Math.log(count / n);
    return h;
  };
  let mutual = 0;
  for (const [x, row] of table) {
    for (const [y, count] of row) {
      mutual += (count / n) * Math.log((n * count) / ((rows.get(x) as number) * (columns.get(y) as number)));
    }
  }
  const hA = entropy(rows.values());
  const hB = entropy(columns.values());
  if (hA === 0 && hB === 0) return 1;
  const denominator = (hA + hB) / 2;
  return denominator === 0 ? 0 : mutual / denominator;
}
