// explore.html: filters, text search, a document map and theme shares over years, all from the
// data inlined in the page. Hand-written, no framework: the page must open from file:// with no
// network. The state lives in the URL hash (#country=Paraguay&theme=3&q=waste), so a view can be
// shared. Everything shown is built with textContent and DOM calls, never innerHTML.
"use strict";

const data = JSON.parse(document.getElementById("data").textContent);
const themes = new Map(data.themes.map((t) => [String(t.id), t]));
const facets = ["theme", "country", "continent", "year", "type"];
const state = { q: "" };
const svgNs = "http://www.w3.org/2000/svg";

function el(tag, attrs, ...children) {
  const node = tag.startsWith("svg:") ? document.createElementNS(svgNs, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  for (const f of facets) state[f] = params.get(f) || "";
  state.q = params.get("q") || "";
  state.hidden = new Set((params.get("hide") || "").split(",").filter(Boolean));
}

function writeHash() {
  const params = new URLSearchParams();
  for (const f of facets) if (state[f]) params.set(f, state[f]);
  if (state.q) params.set("q", state.q);
  if (state.hidden.size) params.set("hide", [...state.hidden].join(","));
  const hash = params.toString();
  if (hash !== location.hash.slice(1)) history.replaceState(null, "", hash ? "#" + hash : location.pathname);
}

function value(doc, facet) {
  return facet === "theme" ? String(doc.theme) : String(doc[facet] ?? "");
}

function matches(doc) {
  for (const f of facets) if (state[f] && value(doc, f) !== state[f]) return false;
  if (!state.q) return true;
  const q = state.q.toLowerCase();
  const theme = themes.get(String(doc.theme));
  return (
    doc.title.toLowerCase().includes(q) ||
    doc.sentences.some((s) => s.toLowerCase().includes(q)) ||
    theme.keywords.some((k) => k.includes(q))
  );
}

function options(select, facet) {
  const counts = new Map();
  for (const d of data.documents) {
    const v = value(d, facet);
    if (v) counts.set(v, (counts.get(v) || 0) + 1);
  }
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  select.replaceChildren(el("option", { value: "" }, "all"));
  for (const [v, n] of sorted) {
    const name = facet === "theme" ? `${v}. ${themes.get(v).label}` : v;
    select.append(el("option", { value: v }, `${name} (${n})`));
  }
  select.value = state[facet];
}

function renderCounts(shown) {
  document.getElementById("count").textContent = `${shown.length} of ${data.documents.length} documents`;
  const byTheme = new Map();
  for (const d of shown) byTheme.set(d.theme, (byTheme.get(d.theme) || 0) + 1);
  const list = document.getElementById("themes");
  list.replaceChildren();
  for (const t of data.themes) {
    const n = byTheme.get(t.id) || 0;
    if (!n) continue;
    const bar = el("span", { class: "bar", style: `width:${Math.max(2, (200 * n) / shown.length)}px;background:${t.colour}` });
    const row = el("li", { "data-theme": String(t.id), "data-count": String(n) }, bar, ` ${t.id}. ${t.label}${t.label_source === "analyst" ? " ✎" : ""} — ${n}`);
    row.addEventListener("click", () => {
      state.theme = state.theme === String(t.id) ? "" : String(t.id);
      update();
    });
    list.append(row);
  }
}

function renderRows(shown) {
  const body = document.getElementById("rows");
  body.replaceChildren();
  for (const d of shown.slice(0, 200)) {
    const title = d.source ? el("a", { href: d.source, rel: "noopener" }, d.title) : d.title;
    const theme = themes.get(String(d.theme));
    body.append(
      el("tr", { "data-doc": d.id }, el("td", {}, title), el("td", {}, `${theme.id}. ${theme.label}`),
        el("td", {}, d.country || ""), el("td", {}, d.year ? String(d.year) : ""), el("td", {}, d.type || "")),
    );
  }
  document.getElementById("more").textContent = shown.length > 200 ? `Showing the first 200 of ${shown.length}.` : "";
}

function renderMap(shown) {
  const map = document.getElementById("map");
  const size = 560;
  const xs = data.documents.map((d) => d.x), ys = data.documents.map((d) => d.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = (x) => 10 + ((x - x0) / (x1 - x0 || 1)) * (size - 20);
  const sy = (y) => size - 10 - ((y - y0) / (y1 - y0 || 1)) * (size - 20);
  map.replaceChildren();
  map.setAttribute("viewBox", `0 0 ${size} ${size}`);
  for (const d of shown) {
    const theme = themes.get(String(d.theme));
    const dot = el("svg:circle", { cx: sx(d.x).toFixed(1), cy: sy(d.y).toFixed(1), r: "3.5", fill: theme.colour, "data-doc": d.id });
    dot.append(el("svg:title", {}, `${d.title} — ${theme.id}. ${theme.label}`));
    if (d.source) {
      const link = el("svg:a", { href: d.source, target: "_blank", rel: "noopener" }, dot);
      map.append(link);
    } else {
      map.append(dot);
    }
  }
}

// The 95% Wilson interval of c documents of n, as the report draws it: [low, share, high].
function wilson(c, n) {
  const z = 1.959964;
  const p = c / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z / d) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [Math.max(0, centre - half), p, Math.min(1, centre + half)];
}

function renderYears(shown) {
  const chart = document.getElementById("years");
  chart.replaceChildren();
  const years = [...new Set(data.documents.map((d) => d.year).filter(Boolean))].sort();
  const toggles = document.getElementById("toggles");
  toggles.replaceChildren();
  if (years.length < 2) {
    chart.closest("section").hidden = true;
    return;
  }
  const perYear = new Map(years.map((y) => [y, shown.filter((d) => d.year === y).length]));
  // A year with too few of the shown documents gives no share: a gap, not a zero.
  const shares = new Map(
    data.themes.slice(0, 12).map((t) => [
      String(t.id),
      years.map((y) => {
        const total = perYear.get(y);
        return total >= data.min_documents ? wilson(shown.filter((d) => d.year === y && d.theme === t.id).length, total) : null;
      }),
    ]),
  );
  const visible = [...shares].filter(([id]) => !state.hidden.has(id)).flatMap(([, s]) => s.filter(Boolean).map((v) => v[2]));
  const top = Math.max(0.05, ...visible);
  const [w, h] = [560, 240];
  chart.setAttribute("viewBox", `0 0 ${w} ${h}`);
  const sx = (i) => 40 + (i * (w - 100)) / (years.length - 1);
  const sy = (share) => h - 30 - (share / top) * (h - 50);
  years.forEach((y, i) =>
    chart.append(el("svg:text", { x: sx(i), y: h - 10, "text-anchor": "middle", "font-size": "11" }, `${y} (n=${perYear.get(y)})`)),
  );
  chart.append(
    el("svg:text", { x: 4, y: 14, "font-size": "11" }, `share of each year's documents, 95% intervals; years with fewer than ${data.min_documents} are gaps (top: ${Math.round(top * 100)}%)`),
  );
  for (const t of data.themes.slice(0, 12)) {
    const id = String(t.id);
    const box = el("input", { type: "checkbox", "data-theme": id });
    box.checked = !state.hidden.has(id);
    box.addEventListener("change", () => {
      if (box.checked) state.hidden.delete(id);
      else state.hidden.add(id);
      update();
    });
    // Rising and falling are the whole analysis's finding (by its own periods), not the filter's.
    const trend = t.trend ? ` (${t.trend}, whole analysis by ${data.trend_period})` : "";
    toggles.append(el("label", { style: `color:${t.colour}`, "data-trend": t.trend || "" }, box, ` ${id}. ${t.label}${trend} `));
    if (state.hidden.has(id)) continue;
    // One band and one line per run of years with a share.
    const runs = [[]];
    shares.get(id).forEach((v, i) => (v ? runs[runs.length - 1].push([i, v]) : runs.push([])));
    for (const run of runs.filter((r) => r.length)) {
      const highs = run.map(([i, v]) => `${sx(i).toFixed(1)},${sy(v[2]).toFixed(1)}`);
      const lows = [...run].reverse().map(([i, v]) => `${sx(i).toFixed(1)},${sy(v[0]).toFixed(1)}`);
      const outline = highs.concat(lows);
      chart.append(el("svg:polygon", { points: outline.join(" "), fill: t.colour, "fill-opacity": "0.15", stroke: "none", "data-theme": id }));
      const points = run.map(([i, v]) => `${sx(i).toFixed(1)},${sy(v[1]).toFixed(1)}`);
      const line = el("svg:polyline", { points: points.join(" "), fill: "none", stroke: t.colour, "stroke-width": "2", "data-theme": id });
      line.append(el("svg:title", {}, `${id}. ${t.label}${trend}`));
      chart.append(line);
    }
  }
}

function update() {
  writeHash();
  for (const f of facets) document.getElementById(f).value = state[f];
  document.getElementById("q").value = state.q;
  const shown = data.documents.filter(matches);
  renderCounts(shown);
  renderRows(shown);
  renderMap(shown);
  renderYears(shown);
}

readHash();
for (const f of facets) {
  const select = document.getElementById(f);
  options(select, f);
  if (select.options.length <= 1) select.closest("label").hidden = true;
  select.addEventListener("change", () => {
    state[f] = select.value;
    update();
  });
}
document.getElementById("q").addEventListener("input", (e) => {
  state.q = e.target.value;
  update();
});
document.getElementById("reset").addEventListener("click", () => {
  for (const f of facets) state[f] = "";
  state.q = "";
  state.hidden.clear();
  update();
});
window.addEventListener("hashchange", () => {
  readHash();
  update();
});
update();
