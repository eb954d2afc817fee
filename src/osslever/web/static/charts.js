// Small interactive SVG charts drawn from JSON (no library, no innerHTML, no inline style).
// lineChart / barChart(container, labels, series, options): series = [{name, values}].
// Hover shows the values of the nearest label; clicking a legend entry hides/shows a series.

const NS = "http://www.w3.org/2000/svg";
const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#be185d", "#4b5563"];
const W = 720, H = 260, M = { top: 14, right: 16, bottom: 30, left: 56 };

function el(name, attrs = {}, parent = null) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (parent) parent.appendChild(node);
  return node;
}

function niceMax(value) {
  if (!(value > 0)) return 1;
  if (Number.isInteger(value) && value <= 4) return value;
  const exp = Math.pow(10, Math.floor(Math.log10(value)));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * exp >= value) return step * exp;
  return 10 * exp;
}

export function formatNumber(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  const a = Math.abs(v);
  if (a >= 1e6) return (v / 1e6).toFixed(1).replace(/\.0$/, "") + "M";
  if (a >= 1e4) return (v / 1e3).toFixed(1).replace(/\.0$/, "") + "k";
  if (a >= 10 || Number.isInteger(v)) return Math.round(v).toLocaleString();
  return v.toFixed(2).replace(/0+$/, "").replace(/\.$/, "");
}

function frame(container, labels, series, options) {
  container.replaceChildren();
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", class: "svg-chart" });
  container.appendChild(svg);
  const legend = document.createElement("div");
  legend.className = "legend";
  container.appendChild(legend);
  const state = { hidden: new Set(), svg, legend, labels, series, options };
  series.forEach((s, i) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "legend-item c" + (i % PALETTE.length);
    button.setAttribute("aria-pressed", "true");
    const swatch = document.createElement("span");
    swatch.className = "swatch c" + (i % PALETTE.length);
    button.appendChild(swatch);
    button.appendChild(document.createTextNode(s.name));
    button.addEventListener("click", () => {
      if (state.hidden.has(i)) state.hidden.delete(i); else state.hidden.add(i);
      button.setAttribute("aria-pressed", state.hidden.has(i) ? "false" : "true");
      state.draw();
    });
    legend.appendChild(button);
  });
  return state;
}

function axes(g, labels, max, x) {
  const plotH = H - M.top - M.bottom;
  // counts below 4 get whole-number ticks only (no "0.5 commits")
  const steps = Number.isInteger(max) && max < 4 ? max : 4;
  for (let i = 0; i <= steps; i++) {
    const v = (max * i) / steps, y = M.top + plotH - (plotH * i) / steps;
    el("line", { x1: M.left, x2: W - M.right, y1: y, y2: y, class: "grid" }, g);
    el("text", { x: M.left - 6, y: y + 4, class: "tick", "text-anchor": "end" }, g).textContent = formatNumber(v);
  }
  const every = Math.max(1, Math.ceil(labels.length / 8));
  labels.forEach((label, i) => {
    if (i % every !== 0 && i !== labels.length - 1) return;
    const px = x(i);
    const anchor = px < M.left + 30 ? "start" : px > W - M.right - 30 ? "end" : "middle";
    el("text", { x: px, y: H - 10, class: "tick", "text-anchor": anchor }, g).textContent = label;
  });
}

function tooltip(state, g, x, index, visible) {
  const tip = el("g", { class: "tooltip" }, g);
  const lines = [state.labels[index]].concat(visible.map(({ s }) => `${s.name}: ${formatNumber(s.values[index])}`));
  const width = 16 + 7.2 * Math.max(...lines.map((l) => l.length));
  const height = 8 + 16 * lines.length;
  let left = x(index) + 10;
  if (left + width > W - M.right) left = x(index) - 10 - width;
  el("rect", { x: left, y: M.top, width, height, rx: 4, class: "tip-box" }, tip);
  lines.forEach((line, i) => {
    el("text", { x: left + 8, y: M.top + 18 + 16 * i, class: i ? "tip-text" : "tip-title" }, tip).textContent = line;
  });
}

function interactive(state, g, x, count, visible) {
  const plotH = H - M.top - M.bottom;
  const overlay = el("rect", { x: M.left, y: M.top, width: W - M.left - M.right, height: plotH, class: "overlay" }, g);
  let hoverLayer = null;
  const move = (event) => {
    const box = state.svg.getBoundingClientRect();
    const px = ((event.clientX - box.left) / box.width) * W;
    let best = 0, bestD = Infinity;
    for (let i = 0; i < count; i++) { const d = Math.abs(x(i) - px); if (d < bestD) { bestD = d; best = i; } }
    if (hoverLayer) hoverLayer.remove();
    hoverLayer = el("g", { class: "hover" }, g);
    el("line", { x1: x(best), x2: x(best), y1: M.top, y2: M.top + plotH, class: "guide" }, hoverLayer);
    tooltip(state, hoverLayer, x, best, visible);
    state.svg.dataset.hoverIndex = String(best);
  };
  overlay.addEventListener("mousemove", move);
  overlay.addEventListener("mouseleave", () => { if (hoverLayer) hoverLayer.remove(); hoverLayer = null; });
}

export function lineChart(container, labels, series, options = {}) {
  if (!labels.length) { container.textContent = options.empty || ""; return null; }
  const state = frame(container, labels, series, options);
  state.draw = () => {
    for (const child of [...state.svg.childNodes]) child.remove();
    const g = el("g", {}, state.svg);
    const visible = series.map((s, i) => ({ s, i })).filter(({ i }) => !state.hidden.has(i));
    const max = niceMax(Math.max(0, ...visible.flatMap(({ s }) => s.values.filter((v) => v !== null))));
    const plotW = W - M.left - M.right, plotH = H - M.top - M.bottom;
    const x = (i) => M.left + (labels.length === 1 ? plotW / 2 : (plotW * i) / (labels.length - 1));
    const y = (v) => M.top + plotH - (plotH * v) / max;
    axes(g, labels, max, x);
    for (const { s, i } of visible) {
      let d = "", pen = false;
      s.values.forEach((v, k) => {
        if (v === null || v === undefined) { pen = false; return; }
        d += `${pen ? "L" : "M"}${x(k).toFixed(1)},${y(v).toFixed(1)}`; pen = true;
      });
      el("path", { d, class: "line c" + (i % PALETTE.length), fill: "none", stroke: PALETTE[i % PALETTE.length] }, g);
      if (labels.length <= 40) s.values.forEach((v, k) => {
        if (v !== null && v !== undefined) el("circle", { cx: x(k), cy: y(v), r: 2.5, fill: PALETTE[i % PALETTE.length] }, g);
      });
    }
    interactive(state, g, x, labels.length, visible);
  };
  state.draw();
  return state;
}

export function barChart(container, labels, series, options = {}) {
  if (!labels.length) { container.textContent = options.empty || ""; return null; }
  const state = frame(container, labels, series, options);
  state.draw = () => {
    for (const child of [...state.svg.childNodes]) child.remove();
    const g = el("g", {}, state.svg);
    const visible = series.map((s, i) => ({ s, i })).filter(({ i }) => !state.hidden.has(i));
    const stacked = Boolean(options.stacked);
    const totals = labels.map((_, k) => stacked
      ? visible.reduce((sum, { s }) => sum + Math.max(0, s.values[k] || 0), 0)
      : Math.max(0, ...visible.map(({ s }) => s.values[k] || 0)));
    const max = niceMax(Math.max(0, ...totals));
    const plotW = W - M.left - M.right, plotH = H - M.top - M.bottom;
    const slot = plotW / labels.length;
    const x = (i) => M.left + slot * (i + 0.5);
    const y = (v) => M.top + plotH - (plotH * v) / max;
    axes(g, labels, max, x);
    const groupW = Math.max(1, slot * 0.8);
    labels.forEach((_, k) => {
      let base = 0;
      visible.forEach(({ s, i }, n) => {
        const v = Math.max(0, s.values[k] || 0);
        if (!v) return;
        const width = stacked ? groupW : groupW / visible.length;
        const left = x(k) - groupW / 2 + (stacked ? 0 : n * width);
        const top = y(base + v), bottom = y(base);
        el("rect", { x: left.toFixed(1), y: top.toFixed(1), width: Math.max(0.5, width - 0.5).toFixed(1),
          height: Math.max(0, bottom - top).toFixed(1), fill: PALETTE[i % PALETTE.length], class: "bar" }, g);
        if (stacked) base += v;
      });
    });
    interactive(state, g, x, labels.length, visible);
  };
  state.draw();
  return state;
}
