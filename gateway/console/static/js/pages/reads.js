import { get } from '../api.js';
import { setStatus } from '../dom.js';
import { bytes, milliseconds } from '../format.js';

export const REFRESH_MS = 5000;
const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 720;
const HEIGHT = 260;
const PAD = { left: 60, right: 70, top: 16, bottom: 28 };

/**
 * Range reads (GetObject answered 206) as the gateway's own metrics saw them, one point per
 * sampling interval: mean latency (left axis, solid) and throughput (right axis, dashed). The
 * numbers are also in a table below the chart for screen readers.
 */
export async function render(container) {
  const { samples, sampleIntervalSeconds } = await get('/api/range-reads');
  const heading = document.createElement('h2');
  heading.textContent = 'Range reads';
  const note = document.createElement('p');
  note.textContent = `GetObject answered 206, sampled every ${sampleIntervalSeconds} s from the gateway's Prometheus histogram; the last ${samples.length} samples.`;
  const legend = document.createElement('p');
  legend.className = 'legend';
  legend.append(span('swatch-latency', '━ mean latency (left axis)'), span('swatch-throughput', '╍ throughput (right axis)'));
  container.replaceChildren(heading, note, legend, chart(samples), summary(samples));
  const last = samples.at(-1);
  setStatus(last ? `Last ${sampleIntervalSeconds} s: ${last.reads} range reads, mean ${milliseconds(last.meanMs)}, ${bytes(last.bytesPerSecond)}/s.` : 'No samples yet.');
}

function span(className, text) {
  const element = document.createElement('span');
  element.className = className;
  element.textContent = text;
  return element;
}

function svg(tag, attributes, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

function chart(samples) {
  const root = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'chart', role: 'img', 'aria-labelledby': 'chart-title' });
  root.append(svg('title', { id: 'chart-title' }, 'Range-read mean latency and throughput over time'));
  const innerWidth = WIDTH - PAD.left - PAD.right;
  const innerHeight = HEIGHT - PAD.top - PAD.bottom;
  const maxLatency = Math.max(1, ...samples.map((s) => s.meanMs ?? 0));
  const maxThroughput = Math.max(1, ...samples.map((s) => s.bytesPerSecond));
  const x = (index) => PAD.left + (samples.length <= 1 ? innerWidth : (index * innerWidth) / (samples.length - 1));
  const y = (value, max) => PAD.top + innerHeight - (value / max) * innerHeight;
  root.append(
    svg('line', { class: 'axis', x1: PAD.left, y1: PAD.top + innerHeight, x2: PAD.left + innerWidth, y2: PAD.top + innerHeight }),
    svg('line', { class: 'axis', x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: PAD.top + innerHeight }),
    svg('line', { class: 'axis', x1: PAD.left + innerWidth, y1: PAD.top, x2: PAD.left + innerWidth, y2: PAD.top + innerHeight }),
    svg('text', { x: PAD.left - 6, y: PAD.top + 10, 'text-anchor': 'end' }, milliseconds(maxLatency)),
    svg('text', { x: PAD.left - 6, y: PAD.top + innerHeight, 'text-anchor': 'end' }, '0 ms'),
    svg('text', { x: PAD.left + innerWidth + 6, y: PAD.top + 10 }, `${bytes(maxThroughput)}/s`),
    svg('text', { x: PAD.left + innerWidth + 6, y: PAD.top + innerHeight }, '0'),
  );
  if (samples.length > 0) {
    const first = new Date(samples[0].at).toLocaleTimeString();
    const last = new Date(samples.at(-1).at).toLocaleTimeString();
    root.append(
      svg('text', { x: PAD.left, y: HEIGHT - 8 }, first),
      svg('text', { x: PAD.left + innerWidth, y: HEIGHT - 8, 'text-anchor': 'end' }, last),
    );
  }
  // An interval without range reads has no latency: the line breaks there instead of dropping to 0.
  let latencyPath = '';
  let pen = 'M';
  samples.forEach((sample, index) => {
    if (sample.meanMs === null) {
      pen = 'M';
      return;
    }
    latencyPath += `${pen}${x(index).toFixed(1)},${y(sample.meanMs, maxLatency).toFixed(1)} `;
    pen = 'L';
  });
  const throughputPath = samples.map((sample, index) => `${index === 0 ? 'M' : 'L'}${x(index).toFixed(1)},${y(sample.bytesPerSecond, maxThroughput).toFixed(1)}`).join(' ');
  if (latencyPath) root.append(svg('path', { class: 'latency', d: latencyPath.trim() }));
  // A dot per interval with range reads: a lone interval between empty ones is a point, not a line.
  samples.forEach((sample, index) => {
    if (sample.meanMs !== null) root.append(svg('circle', { class: 'latency-point', cx: x(index).toFixed(1), cy: y(sample.meanMs, maxLatency).toFixed(1), r: 3 }));
  });
  if (throughputPath) root.append(svg('path', { class: 'throughput', d: throughputPath }));
  return root;
}

function summary(samples) {
  const recent = samples.slice(-6).reverse();
  const tableElement = document.createElement('table');
  const caption = tableElement.createCaption();
  caption.textContent = 'Most recent samples';
  const head = tableElement.createTHead().insertRow();
  for (const label of ['Interval ending', 'Range reads', 'Mean latency', 'p95 (bucket bound)', 'Throughput']) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = label;
    head.append(th);
  }
  const body = tableElement.createTBody();
  for (const sample of recent) {
    const row = body.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = new Date(sample.at).toLocaleTimeString();
    row.append(th);
    for (const text of [String(sample.reads), milliseconds(sample.meanMs), milliseconds(sample.p95Ms), `${bytes(sample.bytesPerSecond)}/s`]) {
      row.insertCell().textContent = text;
    }
  }
  return tableElement;
}
