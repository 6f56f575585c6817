/**
 * An SVG latency chart for the range-read benchmark: one row per scenario, a log-scale time axis,
 * a bar to the p50 of the full response with a whisker to its p99 (tick at p90), and a dot at the
 * TTFB p50. Plain SVG text, no dependencies.
 */

export interface ChartRow {
  readonly label: string;
  /** Rows of one group share a colour (e.g. member path, Range, nginx). */
  readonly group: string;
  readonly ttfbP50: number;
  readonly totalP50: number;
  readonly totalP90: number;
  readonly totalP99: number;
}

const COLOURS = ['#3b6fb6', '#e08a1e', '#3a9a4b', '#b03a5b', '#7a5bb0'];
const ROW_HEIGHT = 22;
const LABEL_WIDTH = 270;
const PLOT_WIDTH = 620;
const TOP = 48;

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[char]!);
}

export function latencyChartSvg(title: string, rows: readonly ChartRow[]): string {
  const values = rows.flatMap((row) => [row.ttfbP50, row.totalP99]).filter((value) => value > 0);
  const minimum = 10 ** Math.floor(Math.log10(Math.min(...values, 1)));
  const maximum = 10 ** Math.ceil(Math.log10(Math.max(...values, 10)));
  const x = (ms: number) => LABEL_WIDTH + (Math.log10(Math.max(ms, minimum) / minimum) / Math.log10(maximum / minimum)) * PLOT_WIDTH;
  const groups = [...new Set(rows.map((row) => row.group))];
  const colour = (group: string) => COLOURS[groups.indexOf(group) % COLOURS.length]!;
  const height = TOP + rows.length * ROW_HEIGHT + 56;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${LABEL_WIDTH + PLOT_WIDTH + 30}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (let decade = minimum; decade <= maximum; decade *= 10) {
    const position = x(decade);
    parts.push(`<line x1="${position}" y1="${TOP - 8}" x2="${position}" y2="${TOP + rows.length * ROW_HEIGHT}" stroke="#ddd"/>`);
    parts.push(`<text x="${position}" y="${TOP + rows.length * ROW_HEIGHT + 16}" text-anchor="middle" fill="#555">${decade >= 1 ? decade : decade.toPrecision(1)} ms</text>`);
  }
  rows.forEach((row, index) => {
    const y = TOP + index * ROW_HEIGHT;
    const middle = y + ROW_HEIGHT / 2;
    const fill = colour(row.group);
    parts.push(`<text x="${LABEL_WIDTH - 8}" y="${middle + 4}" text-anchor="end">${escapeXml(row.label)}</text>`);
    parts.push(`<rect x="${LABEL_WIDTH}" y="${y + 4}" width="${Math.max(1, x(row.totalP50) - LABEL_WIDTH)}" height="${ROW_HEIGHT - 8}" fill="${fill}" fill-opacity="0.75"/>`);
    parts.push(`<line x1="${x(row.totalP50)}" y1="${middle}" x2="${x(row.totalP99)}" y2="${middle}" stroke="${fill}" stroke-width="2"/>`);
    parts.push(`<line x1="${x(row.totalP90)}" y1="${middle - 5}" x2="${x(row.totalP90)}" y2="${middle + 5}" stroke="${fill}" stroke-width="2"/>`);
    parts.push(`<line x1="${x(row.totalP99)}" y1="${middle - 7}" x2="${x(row.totalP99)}" y2="${middle + 7}" stroke="${fill}" stroke-width="2"/>`);
    parts.push(`<circle cx="${x(row.ttfbP50)}" cy="${middle}" r="3.5" fill="white" stroke="black"/>`);
  });
  const legendY = TOP + rows.length * ROW_HEIGHT + 38;
  parts.push(`<text x="10" y="${legendY}" fill="#333">bar: full response p50 · whisker: p90 tick, p99 end · ○ TTFB p50 · log scale</text>`);
  groups.forEach((group, index) => {
    const legendX = LABEL_WIDTH + 200 + index * 130;
    parts.push(`<rect x="${legendX}" y="${legendY - 10}" width="12" height="12" fill="${colour(group)}"/>`);
    parts.push(`<text x="${legendX + 16}" y="${legendY}">${escapeXml(group)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
