// explore.html: filters, a search of every word of every page, a labelled document map, theme
// shares over years and a sortable table saved as CSV, all from the data inlined in the page.
// Hand-written, no framework: the page must open from file:// with no network. The state lives in
// the URL hash (#country=Paraguay&theme=3&q=waste&sort=-year), so a view can be shared.
// Everything shown is built with textContent and DOM calls, never innerHTML.
"use strict";

const data = JSON.parse(document.getElementById("data").textContent);
data.documents.forEach((d, i) => (d.pos = i));
const themes = new Map(data.themes.map((t) => [String(t.id), t]));
const facets = ["theme", "country", "continent", "year", "type"];
const state = { q: "", sort: "" };
const svgNs = "http://www.w3.org/2000/svg";

// The full-text index (explore.rs's text_index): sorted words, and for each the positions of the
// documents holding it as gaps in variable-length base-64 digits, decoded only when searched.
const indexWords = data.index.words ? data.index.words.split(" ") : [];
const indexLists = data.index.postings ? data.index.postings.split(" ") : [];
const digits = new Map([..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"].map((c, i) => [c, i]));

function postings(w) {
  const list = indexLists[w];
  const out = [];
  let value = 0, shift = 0, previous = 0;
  for (const c of list) {
    const digit = digits.get(c);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
    } else {
      previous += value;
      out.push(previous);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

// As the index folds the pages' words: lower case, accents removed, split at non-letters.
function fold(text) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

// The documents whose title or text has, for every word of the query, a word starting with it.
let searched = { q: null, found: null };
function fullText(q) {
  if (searched.q === q) return searched.found;
  const terms = fold(q).split(/[^\p{L}\p{N}]+/u).filter((t) => t.length >= 2);
  let found = null;
  for (const term of terms) {
    const holding = new Set();
    indexWords.forEach((w, i) => {
      if (w.startsWith(term)) for (const p of postings(i)) holding.add(p);
    });
    found = found === null ? holding : new Set([...found].filter((p) => holding.has(p)));
  }
  searched = { q, found: found || new Set() };
  return searched.found;
}

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
  state.sort = params.get("sort") || "";
  state.hidden = new Set((params.get("hide") || "").split(",").filter(Boolean));
}

function writeHash() {
  const params = new URLSearchParams();
  for (const f of facets) if (state[f]) params.set(f, state[f]);
  if (state.q) params.set("q", state.q);
  if (state.sort) params.set("sort", state.sort);
  if (state.hidden.size) params.set("hide", [...state.hidden].join(","));
  const hash = params.toString();
  if (hash !== location.hash.slice(1)) history.replaceState(null, "", hash ? "#" + hash : location.pathname);
}

function value(doc, facet) {
  return facet === "theme" ? String(doc.theme) : String(doc[facet] ?? "");
}

// Whether a document passes the filters (all but `except`) and the search: every word of the
// query starts a word of its title or text.
function matches(doc, except) {
  for (const f of facets) if (f !== except && state[f] && value(doc, f) !== state[f]) return false;
  return !state.q || fullText(state.q).has(doc.pos);
}

// The value a column sorts by: titles and names as text, years as numbers, themes by id.
function sortKey(doc, column) {
  if (column === "theme" || column === "year") return doc[column] ?? -Infinity;
  return (doc[column] || "").toLocaleLowerCase();
}

function sorted(shown) {
  if (!state.sort) return shown;
  const descending = state.sort.startsWith("-");
  const column = state.sort.replace(/^-/, "");
  const sign = descending ? -1 : 1;
  return [...shown].sort((a, b) => {
    const [x, y] = [sortKey(a, column), sortKey(b, column)];
    return sign * (x < y ? -1 : x > y ? 1 : 0) || a.pos - b.pos;
  });
}

function csvField(v) {
  const text = v === null || v === undefined ? "" : String(v);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

// The rows shown, in the table's order, as CSV for the download link.
function csv(rows) {
  const header = ["doc_id", "title", "theme", "theme_label", "country", "continent", "year", "type", "source"];
  const lines = rows.map((d) =>
    [d.id, d.title, d.theme, themes.get(String(d.theme)).label, d.country, d.continent, d.year, d.type, d.source].map(csvField).join(","),
  );
  return [header.join(","), ...lines].join("\r\n") + "\r\n";
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
  for (const th of document.querySelectorAll("th[data-sort]")) {
    const column = th.dataset.sort;
    th.dataset.order = state.sort === column ? "ascending" : state.sort === "-" + column ? "descending" : "";
    th.setAttribute("aria-sort", th.dataset.order || "none");
  }
  const link = document.getElementById("csv");
  link.href = "data:text/csv;charset=utf-8," + encodeURIComponent(csv(shown));
  link.textContent = `Download these ${shown.length} rows as CSV`;
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

// Every page on the map: those the filters leave out faint and grey, those shown in their theme's
// colour, and each shown theme's label at the median of its shown pages.
function renderMap(shown) {
  const map = document.getElementById("map");
  const size = 560;
  const xs = data.documents.map((d) => d.x), ys = data.documents.map((d) => d.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = (x) => 10 + ((x - x0) / (x1 - x0 || 1)) * (size - 20);
  const sy = (y) => size - 10 - ((y - y0) / (y1 - y0 || 1)) * (size - 20);
  map.replaceChildren();
  map.setAttribute("viewBox", `0 0 ${size} ${size}`);
  const visible = new Set(shown.map((d) => d.pos));
  if (shown.length < data.documents.length) {
    const faint = el("svg:g", { fill: "#cbd2d9", "fill-opacity": "0.5" });
    for (const d of data.documents) if (!visible.has(d.pos)) faint.append(el("svg:circle", { class: "faint", cx: sx(d.x).toFixed(1), cy: sy(d.y).toFixed(1), r: "2" }));
    map.append(faint);
  }
  const byTheme = new Map();
  for (const d of shown) {
    const theme = themes.get(String(d.theme));
    const dot = el("svg:circle", { class: "shown", cx: sx(d.x).toFixed(1), cy: sy(d.y).toFixed(1), r: "3.5", fill: theme.colour, "data-doc": d.id });
    dot.append(el("svg:title", {}, `${d.title} — ${theme.id}. ${theme.label}`));
    map.append(d.source ? el("svg:a", { href: d.source, target: "_blank", rel: "noopener" }, dot) : dot);
    if (!byTheme.has(d.theme)) byTheme.set(d.theme, []);
    byTheme.get(d.theme).push(d);
  }
  // Labels for themes with at least 2 shown pages (and 2% of them), largest first, each moved up
  // or down off the labels already written and kept inside the map.
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const least = Math.max(2, 0.02 * shown.length);
  const placed = [];
  for (const [id, members] of [...byTheme].filter(([, m]) => m.length >= least).sort((a, b) => b[1].length - a[1].length)) {
    const t = themes.get(String(id));
    const text = `${t.id}. ${t.label}`;
    // Bold 11-unit text: about 7 units a character.
    const width = text.length * 7 + 6;
    const x = Math.min(Math.max(sx(median(members.map((d) => d.x))), width / 2 + 2), size - width / 2 - 2);
    const y0 = sy(median(members.map((d) => d.y)));
    const clear = (y) => y > 12 && y < size - 4 && !placed.some((p) => Math.abs(p.x - x) < (p.width + width) / 2 && Math.abs(p.y - y) < 14);
    const y = [0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5].map((k) => y0 + 14 * k).find(clear) ?? y0;
    placed.push({ x, y, width });
    map.append(el("svg:text", {
      x: x.toFixed(1), y: y.toFixed(1), "text-anchor": "middle", "font-size": "11", "font-weight": "bold", fill: "#1f2933",
      stroke: "#ffffff", "stroke-width": "3", "paint-order": "stroke", "data-theme": String(id), class: "theme-label",
    }, text));
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

// One small panel per theme (the twelve largest, less those unticked), all on the same axes:
// its share of each year's shown documents with the 95% interval shaded. Every year stays on the
// axis when one is chosen: the year filter marks its year rather than emptying the others.
function renderYears() {
  const chart = document.getElementById("years");
  chart.replaceChildren();
  const years = [...new Set(data.documents.map((d) => d.year).filter(Boolean))].sort();
  const toggles = document.getElementById("toggles");
  toggles.replaceChildren();
  if (years.length < 2) {
    chart.closest("section").hidden = true;
    return;
  }
  const shown = data.documents.filter((d) => matches(d, "year"));
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
  const drawn = data.themes.slice(0, 12).filter((t) => !state.hidden.has(String(t.id)));
  const top = Math.max(0.05, ...drawn.flatMap((t) => shares.get(String(t.id)).filter(Boolean).map((v) => v[2])));
  const [columns, pw, ph, head] = [3, 300, 150, 22];
  const rows = Math.max(1, Math.ceil(drawn.length / columns));
  chart.setAttribute("viewBox", `0 0 ${columns * pw} ${head + rows * ph}`);
  chart.append(
    el("svg:text", { x: 4, y: 14, "font-size": "12" }, `Share of each year's shown documents, 95% intervals; years with fewer than ${data.min_documents} are gaps; rising, falling or peaked: the whole analysis by ${data.trend_period}`),
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
    toggles.append(el("label", { style: `color:${t.colour}` }, box, ` ${id}. ${t.label} `));
  }
  drawn.forEach((t, k) => {
    const id = String(t.id);
    const [ox, oy] = [(k % columns) * pw, head + Math.floor(k / columns) * ph];
    const [left, right, above, below] = [ox + 38, ox + pw - 14, oy + 26, oy + ph - 22];
    const sx = (i) => left + (i * (right - left)) / (years.length - 1);
    const sy = (share) => below - (share / top) * (below - above);
    const panel = el("svg:g", { "data-theme": id, "data-trend": t.trend || "" });
    // Rising, falling or peaking is the whole analysis's finding (by its own periods), not the filter's.
    const trend = t.trend ? ` (${t.trend})` : "";
    // The label shortened where the panel is too narrow, never its trend.
    const room = 42 - trend.length;
    const label = `${id}. ${t.label}`;
    const name = (label.length > room ? label.slice(0, room - 1) + "…" : label) + trend;
    panel.append(el("svg:text", { x: ox + 4, y: oy + 14, "font-size": "11", fill: t.colour, "font-weight": "bold" }, name));
    for (const f of [0, 0.5, 1]) {
      panel.append(el("svg:line", { x1: left, x2: right, y1: sy(f * top), y2: sy(f * top), stroke: "#d9e2ec" }));
      panel.append(el("svg:text", { x: left - 4, y: sy(f * top) + 4, "text-anchor": "end", "font-size": "10", class: "axis" }, `${Math.round(f * top * 100)}%`));
    }
    const marked = years.indexOf(Number(state.year));
    if (marked >= 0) panel.append(el("svg:line", { x1: sx(marked), x2: sx(marked), y1: above, y2: below, stroke: "#52606d", "stroke-dasharray": "3 3" }));
    for (const i of [0, years.length - 1]) {
      panel.append(el("svg:text", { x: sx(i), y: below + 14, "text-anchor": "middle", "font-size": "10", class: "axis" }, String(years[i])));
    }
    // One band and one line per run of years with a share.
    const runs = [[]];
    shares.get(id).forEach((v, i) => (v ? runs[runs.length - 1].push([i, v]) : runs.push([])));
    for (const run of runs.filter((r) => r.length)) {
      const highs = run.map(([i, v]) => `${sx(i).toFixed(1)},${sy(v[2]).toFixed(1)}`);
      const lows = [...run].reverse().map(([i, v]) => `${sx(i).toFixed(1)},${sy(v[0]).toFixed(1)}`);
      panel.append(el("svg:polygon", { points: highs.concat(lows).join(" "), fill: t.colour, "fill-opacity": "0.18", stroke: "none" }));
      const points = run.map(([i, v]) => `${sx(i).toFixed(1)},${sy(v[1]).toFixed(1)}`);
      const line = el("svg:polyline", { points: points.join(" "), fill: "none", stroke: t.colour, "stroke-width": "2" });
      line.append(el("svg:title", {}, years.map((y, i) => `${y}: ${shares.get(id)[i] ? Math.round(shares.get(id)[i][1] * 100) + "%" : "too few"} (n=${perYear.get(y)})`).join(", ")));
      panel.append(line);
    }
    chart.append(panel);
  });
}

function update() {
  writeHash();
  for (const f of facets) document.getElementById(f).value = state[f];
  document.getElementById("q").value = state.q;
  const shown = sorted(data.documents.filter((d) => matches(d)));
  renderCounts(shown);
  renderRows(shown);
  renderMap(shown);
  renderYears();
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
for (const th of document.querySelectorAll("th[data-sort]")) {
  th.addEventListener("click", () => {
    const column = th.dataset.sort;
    state.sort = state.sort === column ? "-" + column : state.sort === "-" + column ? "" : column;
    update();
  });
}
document.getElementById("reset").addEventListener("click", () => {
  for (const f of facets) state[f] = "";
  state.q = "";
  state.sort = "";
  state.hidden.clear();
  update();
});
window.addEventListener("hashchange", () => {
  readHash();
  update();
});
update();
// How long the page took to be ready, for the load-time check.
document.body.dataset.readyMs = String(Math.round(performance.now()));
