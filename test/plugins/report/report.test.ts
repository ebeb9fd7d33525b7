// report.html in headless Chromium (Debian's, through playwright-core): it loads without errors or
// requests, and its graph, domain table, funnel and throughput are there and agree with the run.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Domains } from "../../../lib/contracts/domains.ts";
import type { Funnel } from "../../../lib/contracts/judgement.ts";
import type { ToolGraph } from "../../../lib/contracts/tool-graph.ts";
import { launchChromium, openReport } from "../../../plugins/report/screenshot.ts";
import { sharedExampleRun } from "../../support/example.ts";
import { tempDir } from "../../support/helpers.ts";
import { haveChromium } from "../../support/machine.ts";
import type { RunView } from "../../support/pipeline.ts";

let run: RunView;
let browser: Browser | undefined;

// Debian's Chromium: required under CI (.ci/run installs it), else skipped with a line saying so.
const haveBrowser = haveChromium();

beforeAll(async () => {
  run = sharedExampleRun();
  if (haveBrowser) browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe("report.html", () => {
  it("is self-contained: no script, no stylesheet or image from elsewhere", () => {
    const html = run.text("report.html");
    expect(html).not.toMatch(/<script|<link|src=|url\(/i);
  });

  it.runIf(haveBrowser)("renders in Chromium with the graph, the table and the funnel, without errors", async () => {
    const { page, problems } = await openReport(browser as Browser, join(run.runDir, "report.html"));
    try {
      const graph = run.json<ToolGraph>("tool-graph.json");
      const domains = run.json<Domains>("domains.json").domains;
      const funnel = run.json<Funnel>("funnel.json");
      expect(await page.locator("#tool-graph circle").count()).toBe(graph.nodes.length);
      expect(await page.locator("#tool-graph line").count()).toBe(graph.edges.length);
      const box = await page.locator("#tool-graph").boundingBox();
      expect(box?.width).toBeGreaterThan(300);
      // One colour per domain among the nodes.
      const fills = await page.locator("#tool-graph circle").evaluateAll((nodes) => [...new Set(nodes.map((n) => n.getAttribute("fill")))]);
      expect(fills.length).toBe(domains.length + (graph.nodes.length > domains.reduce((n, d) => n + d.tools.length, 0) ? 1 : 0));
      const rows = page.locator("#domains tbody tr");
      expect(await rows.count()).toBe(domains.length);
      const first = await rows.first().locator("td").allInnerTexts();
      expect(first[0]).toBe(domains[0]?.name);
      const tasks = run
        .text("tasks.jsonl")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { domain: string });
      expect(first[4]).toBe(String(tasks.filter((t) => t.domain === domains[0]?.name).length));
      expect(first[6]).toBe(String(funnel.domains[domains[0]?.name ?? ""]?.kept ?? 0));
      const steps = page.locator("#funnel .funnel-step");
      expect(await steps.count()).toBe(4);
      expect(await steps.first().textContent()).toContain(String(funnel.total.trajectories));
      expect(await steps.last().textContent()).toContain(String(funnel.total.exact_match));
      expect(await page.locator("#throughput tbody tr").count()).toBeGreaterThanOrEqual(5);
      expect(problems).toEqual([]);
      const png = join(tempDir("envscale-report-"), "report.png");
      await page.screenshot({ path: png, fullPage: true });
      expect(statSync(png).size).toBeGreaterThan(10_000);
      expect(readFileSync(png).subarray(1, 4).toString()).toBe("PNG");
    } finally {
      await page.close();
    }
  });
});
