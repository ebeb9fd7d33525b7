// Opening a run's report.html in headless Chromium (Debian's `chromium`, driven by playwright-core):
// what the report test checks, and `npm run report:screenshot [RUN_DIR] [--out FILE]`.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { EnvscaleError } from "../../kernel/errors.ts";

/** Where Chromium is ($CHROMIUM_PATH, else Debian's), or null when this machine has none. */
export function findChromium(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter((p): p is string => Boolean(p));
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** Where Chromium is: $CHROMIUM_PATH, else Debian's; a usage error naming the fix when there is none. */
export function chromiumPath(): string {
  const found = findChromium();
  if (!found)
    throw new EnvscaleError("E_USAGE", "no Chromium found (looked at $CHROMIUM_PATH, /usr/bin/chromium)", {
      hint: "install Debian's chromium (`apt-get install chromium`) or set CHROMIUM_PATH",
    });
  return found;
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      // A closed network refuses Chromium's own background connections; it must not try them.
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

export interface OpenedReport {
  page: Page;
  /** Console errors, page errors and every request that left the file (a self-contained page makes none). */
  problems: string[];
}

export async function openReport(browser: Browser, reportPath: string): Promise<OpenedReport> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const problems: string[] = [];
  const url = pathToFileURL(resolve(reportPath)).href;
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("request", (request) => {
    if (request.url() !== url) problems.push(`request: ${request.url()}`);
  });
  await page.goto(url, { waitUntil: "load" });
  return { page, problems };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const outAt = args.indexOf("--out");
  const out = outAt >= 0 ? args[outAt + 1] : undefined;
  const runDir = resolve(args.find((a, i) => !a.startsWith("--") && i !== outAt + 1) ?? "generated/catalog-s1");
  const report = resolve(runDir, "report.html");
  if (!existsSync(report)) {
    console.error(`no report at ${report}: run \`npx envscale run\` first (or pass a run directory)`);
    process.exit(2);
  }
  const png = resolve(out ?? resolve(runDir, "report.png"));
  const browser = await launchChromium();
  try {
    const { page, problems } = await openReport(browser, report);
    await page.screenshot({ path: png, fullPage: true });
    if (problems.length > 0) console.error(problems.join("\n"));
    console.log(`wrote ${png}`);
  } finally {
    await browser.close();
  }
}

if (import.meta.main) await main();
