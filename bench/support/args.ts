// Command-line arguments of the benchmarks: `--name value` flags and one positional (a run directory).

/** The benchmark's flags and its positional argument; exits 2 with `usage` when the positional is required and missing. */
export function benchArgs(usage: string, options: { positional: "required" | "optional" } = { positional: "required" }) {
  const args = process.argv.slice(2);
  const flag = (name: string, fallback: string) => {
    const at = args.indexOf(name);
    return at >= 0 ? (args[at + 1] as string) : fallback;
  };
  const positional = args.find((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
  if (!positional && options.positional === "required") {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  return { args, flag, positional: positional as string, has: (name: string) => args.includes(name) };
}
