// The report page: one self-contained HTML file (inline CSS and SVG, no script, nothing fetched)
// with the tool graph coloured by domain, the per-domain table, the filter funnel and throughput.

export interface ReportData {
  title: string;
  seed: number;
  graph: {
    nodes: { tool: string; domain: number | null; x: number; y: number }[];
    edges: { source: number; target: number }[];
  };
  domains: { name: string; tools: number; verified: number; dropped: number; tasks: number; trajectories: number; kept: number }[];
  funnel: { label: string; count: number }[];
  throughput: { stage: string; seconds: number; items: number | null; unit: string }[];
  totals: { label: string; value: string }[];
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);

/** Distinct hues for domains (golden-angle steps), grey for tools no domain kept. */
export function domainColour(index: number | null): string {
  if (index === null) return "#b0b0b0";
  return `hsl(${Math.round((index * 137.508) % 360)}, 65%, ${index % 2 === 0 ? 45 : 58}%)`;
}

function graphSvg(data: ReportData): string {
  const size = 760;
  const pad = 16;
  const at = (v: number) => (pad + v * (size - 2 * pad)).toFixed(1);
  const { nodes, edges } = data.graph;
  const radius = nodes.length > 1500 ? 2 : nodes.length > 300 ? 3 : 5;
  const lines = edges
    .map((e) => {
      const a = nodes[e.source];
      const b = nodes[e.target];
      return a && b ? `<line x1="${at(a.x)}" y1="${at(a.y)}" x2="${at(b.x)}" y2="${at(b.y)}"/>` : "";
    })
    .join("");
  const dots = nodes
    .map(
      (n) =>
        `<circle cx="${at(n.x)}" cy="${at(n.y)}" r="${radius}" fill="${domainColour(n.domain)}"><title>${escapeHtml(n.tool)} — ${escapeHtml(
          n.domain === null ? "no domain" : (data.domains[n.domain]?.name ?? ""),
        )}</title></circle>`,
    )
    .join("");
  return `<svg id="tool-graph" viewBox="0 0 ${size} ${size}" role="img" aria-label="tool graph coloured by domain"><g class="edges">${lines}</g><g class="nodes">${dots}</g></svg>`;
}

function funnelSvg(data: ReportData): string {
  const width = 560;
  const bar = 34;
  const top = Math.max(1, data.funnel[0]?.count ?? 1);
  const rows = data.funnel
    .map((step, i) => {
      const w = Math.max(2, (step.count / top) * (width - 260));
      const y = i * (bar + 10);
      const share = ((step.count / top) * 100).toFixed(1);
      return `<g class="funnel-step" data-stage="${escapeHtml(step.label)}"><text x="0" y="${y + bar / 2 + 5}">${escapeHtml(step.label)}</text><rect x="130" y="${y}" width="${w.toFixed(1)}" height="${bar}" rx="3"/><text x="${(136 + w).toFixed(1)}" y="${y + bar / 2 + 5}">${step.count} (${share}%)</text></g>`;
    })
    .join("");
  return `<svg id="funnel" viewBox="0 0 ${width} ${data.funnel.length * (bar + 10)}" role="img" aria-label="filter funnel">${rows}</svg>`;
}

function domainTable(data: ReportData): string {
  const rows = data.domains
    .map((d, i) => {
      const rate = d.trajectories > 0 ? `${((d.kept / d.trajectories) * 100).toFixed(1)}%` : "–";
      return `<tr><td><span class="swatch" style="background:${domainColour(i)}"></span>${escapeHtml(d.name)}</td><td>${d.tools}</td><td>${d.verified}</td><td>${d.dropped}</td><td>${d.tasks}</td><td>${d.trajectories}</td><td>${d.kept}</td><td>${rate}</td></tr>`;
    })
    .join("");
  return `<table id="domains"><thead><tr><th>domain</th><th>tools</th><th>verified</th><th>dropped</th><th>tasks</th><th>trajectories</th><th>kept</th><th>pass rate</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function throughputTable(data: ReportData): string {
  const rows = data.throughput
    .map((t) => {
      const rate = t.items !== null && t.seconds > 0 ? `${(t.items / t.seconds).toFixed(1)} ${t.unit}/s` : "–";
      return `<tr><td>${escapeHtml(t.stage)}</td><td>${t.seconds.toFixed(2)} s</td><td>${t.items ?? "–"}</td><td>${rate}</td></tr>`;
    })
    .join("");
  return `<table id="throughput"><thead><tr><th>stage</th><th>time</th><th>items</th><th>throughput</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function renderReport(data: ReportData): string {
  const totals = data.totals
    .map((t) => `<div class="total"><b>${escapeHtml(t.value)}</b><span>${escapeHtml(t.label)}</span></div>`)
    .join("");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>envscale report — ${escapeHtml(data.title)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1180px; color: #1d1d1f; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; }
.muted { color: #666; }
.totals { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.total { border: 1px solid #ddd; border-radius: 6px; padding: 8px 14px; min-width: 110px; }
.total b { display: block; font-size: 20px; } .total span { color: #666; font-size: 12px; }
.grid { display: grid; grid-template-columns: minmax(0, 1fr); gap: 8px; }
#tool-graph { width: 100%; max-width: 760px; height: auto; border: 1px solid #e3e3e3; border-radius: 6px; background: #fcfcfc; }
#tool-graph .edges line { stroke: #c8c8c8; stroke-width: 0.6; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: right; padding: 4px 8px; border-bottom: 1px solid #eee; } th:first-child, td:first-child { text-align: left; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 6px; }
#funnel { width: 100%; max-width: 560px; height: auto; } #funnel rect { fill: #3b7dd8; } #funnel text { font-size: 13px; fill: #1d1d1f; }
.scroll { max-height: 780px; overflow: auto; }
</style>
</head>
<body>
<h1>envscale report</h1>
<div class="muted">${escapeHtml(data.title)} · seed ${data.seed}</div>
<div class="totals">${totals}</div>
<div class="grid">
<section><h2>Tool graph, coloured by domain</h2>${graphSvg(data)}<div class="muted">${data.graph.nodes.length} tools, ${data.graph.edges.length} similarity edges; ForceAtlas2 layout. Grey: tools no domain kept.</div></section>
<section><h2>Domains</h2><div class="scroll">${domainTable(data)}</div></section>
</div>
<h2>Filter funnel</h2>
${funnelSvg(data)}
<h2>Throughput</h2>
${throughputTable(data)}
</body>
</html>
`;
}
