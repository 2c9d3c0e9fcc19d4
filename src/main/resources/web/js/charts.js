/* The four charts, drawn as inline SVG from GET /api/charts. */

import { request } from './api.js';
import { setText } from './dom.js';

// The charts cover an hour; they are redrawn at most this often.
const CHARTS_MS = 10000;
const SVG = 'http://www.w3.org/2000/svg';

let drawnAt = 0;

function svgNode(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  Object.keys(attributes).forEach(function (name) { node.setAttribute(name, attributes[name]); });
  if (text !== undefined) node.textContent = text;
  return node;
}

function chart(name) {
  return document.querySelector('[data-testid="chart-' + name + '"]');
}

/**
 * Bars for {label, value, kind} items on a 300 × 100 canvas, tallest = the highest value; each bar
 * carries its label and value (data-label, data-value) and says them on hover.
 */
function drawBars(svg, items, labelEvery) {
  svg.textContent = '';
  const max = items.reduce(function (m, item) { return Math.max(m, item.value || 0); }, 0);
  const width = 300 / Math.max(items.length, 1);
  items.forEach(function (item, index) {
    const height = max === 0 ? 0 : Math.max(1, (item.value || 0) / max * 80);
    const bar = svgNode('rect', {
      x: (index * width + width * 0.1).toFixed(2), y: (85 - height).toFixed(2),
      width: (width * 0.8).toFixed(2), height: height.toFixed(2),
      class: 'bar ' + (item.kind || ''), 'data-label': item.label, 'data-value': String(item.value === null ? '' : item.value),
    });
    bar.appendChild(svgNode('title', {}, item.label + ': ' + (item.value === null ? 'none yet' : item.text || item.value)));
    svg.appendChild(bar);
    if (labelEvery && index % labelEvery === 0) {
      svg.appendChild(svgNode('text', { x: (index * width + width / 2).toFixed(2), y: 97, class: 'axis' }, item.short || item.label));
    }
  });
  svg.appendChild(svgNode('text', { x: 2, y: 9, class: 'axis' }, 'max ' + formatChartValue(max)));
}

function formatChartValue(value) {
  return value >= 100 ? Math.round(value).toLocaleString('en') : String(Math.round(value * 10) / 10);
}

function ms(value) {
  return value === null ? 'none yet' : formatChartValue(value) + ' ms';
}

function drawCharts(charts) {
  drawBars(chart('throughput'), charts.throughput.map(function (minute) {
    return { label: minute.minute, value: minute.jobs, short: minute.minute.slice(11, 16) };
  }), 15);
  const total = charts.throughput.reduce(function (sum, minute) { return sum + minute.jobs; }, 0);
  setText(chart('throughput-total'), total.toLocaleString('en') + ' in all');
  const stages = [];
  charts.stages.forEach(function (stage) {
    stages.push({ label: stage.stage + ' p50', value: stage.p50Ms, kind: 'p50', short: stage.stage, text: ms(stage.p50Ms) });
    stages.push({ label: stage.stage + ' p95', value: stage.p95Ms, kind: 'p95', text: ms(stage.p95Ms) });
  });
  drawBars(chart('stages'), stages, 2);
  const failures = Object.keys(charts.failures).map(function (code) {
    return { label: code, value: charts.failures[code], kind: 'failed', short: code.slice(0, 10) };
  });
  drawBars(chart('failures'), failures, 1);
  const slots = Object.keys(charts.slots).map(function (slotState) {
    return { label: slotState, value: charts.slots[slotState], kind: 'slot-' + slotState.toLowerCase(), short: slotState };
  });
  drawBars(chart('slots'), slots, 1);
  setText(chart('slots-utilisation'), charts.slotUtilisation === null
      ? '' : Math.round(charts.slotUtilisation * 100) + '% writing');
}

export async function refreshCharts() {
  if (Date.now() - drawnAt < CHARTS_MS) return;
  const result = await request('GET', 'api/charts');
  drawnAt = Date.now();
  drawCharts(result.body);
}
