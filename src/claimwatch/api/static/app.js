// claimwatch page: a watch's or a place's claims on an SVG map and a timeline; a cluster view.
// No framework, no network beyond this API; text goes in with textContent only.
"use strict";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const state = { query: null, cursor: null, claims: [], world: null };

function el(tag, attrs, ...children) {
  const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) node.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

// only http(s) links from the data: never a javascript: or data: URL
const safeHref = (url) => (/^https?:\/\//i.test(url || "") ? url : null);

function status(text, isError) {
  $("status").textContent = text || "";
  $("status").classList.toggle("error", !!isError);
}

async function getJSON(path) {
  const resp = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await resp.json().catch(() => ({}));
  if (!resp.ok) throw new Error(body.error || `HTTP ${resp.status}`);
  return body;
}

// ------------------------------------------------------------------ TopoJSON -> rings
// A topology's arcs are delta-encoded, quantized positions; a ring lists arc indexes (~i = arc i reversed).
function decodeArcs(topo) {
  const t = topo.transform;
  return topo.arcs.map((arc) => {
    let x = 0, y = 0;
    return arc.map(([dx, dy]) => {
      if (!t) return [dx, dy];
      x += dx; y += dy;
      return [x * t.scale[0] + t.translate[0], y * t.scale[1] + t.translate[1]];
    });
  });
}

function ringPoints(arcs, indexes) {
  const points = [];
  indexes.forEach((i, k) => {
    const arc = i < 0 ? arcs[~i].slice().reverse() : arcs[i];
    points.push(...(k > 0 ? arc.slice(1) : arc));
  });
  return points;
}

function countryPaths(topo) {
  const arcs = decodeArcs(topo);
  const out = [];
  for (const g of topo.objects.countries.geometries) {
    const polygons = g.type === "Polygon" ? [g.arcs] : g.type === "MultiPolygon" ? g.arcs : [];
    const d = polygons.flatMap((rings) => rings.map((r) =>
      "M" + ringPoints(arcs, r).map(([lon, lat]) => `${lon.toFixed(2)},${(-lat).toFixed(2)}`).join("L") + "Z"));
    if (d.length) out.push({ name: (g.properties || {}).name || "", d: d.join("") });
  }
  return out;
}

// ------------------------------------------------------------------ map (equirectangular: x = lon, y = -lat)
async function drawWorld() {
  if (state.world) return;
  const topo = await getJSON("static/countries-110m.json");
  state.world = countryPaths(topo);
  const g = $("countries");
  for (const c of state.world) g.append(el("svg:path", { d: c.d }, el("svg:title", {}, c.name)));
  fitView([]);
}

function fitView(points) {
  let [w, s, e, n] = [-180, -60, 180, 85];
  if (points.length) {
    const lons = points.map((p) => p.lon), lats = points.map((p) => p.lat);
    w = Math.min(...lons); e = Math.max(...lons); s = Math.min(...lats); n = Math.max(...lats);
    // at least a country's worth of context around the markers
    const pad = Math.max(5, (e - w) * 0.3, (n - s) * 0.3);
    w -= pad * 1.6; e += pad * 1.6; s -= pad; n += pad;
  }
  // keep the SVG's 5:3 shape so circles stay round
  const width = Math.max(e - w, (n - s) * 5 / 3), height = width * 3 / 5;
  const cx = (w + e) / 2, cy = -(s + n) / 2;
  $("map").setAttribute("viewBox", `${cx - width / 2} ${cy - height / 2} ${width} ${height}`);
  return width;
}

function drawMarkers(claims) {
  const byPlace = new Map();
  for (const c of claims) for (const p of c.places) {
    if (p.lat === null || p.lon === null || !p.place_id) continue;
    const entry = byPlace.get(p.place_id) || { ...p, claims: [] };
    if (!entry.claims.includes(c.id)) entry.claims.push(c.id);
    byPlace.set(p.place_id, entry);
  }
  const places = [...byPlace.values()];
  const width = fitView(places);
  const g = $("markers");
  g.replaceChildren();
  const fontSize = width / 55, taken = [];
  places.sort((a, b) => b.claims.length - a.claims.length);
  for (const p of places) {
    const r = width / 160 * Math.sqrt(p.claims.length);
    const label = `${p.name || p.text}: ${p.claims.length} claim(s)`;
    // nearby towns: move a label down until it clears the labels already placed
    const x = p.lon + r * 1.3;
    let y = -p.lat + fontSize * 0.35;
    while (taken.some((t) => Math.abs(t.y - y) < fontSize * 1.1 && Math.abs(t.x - x) < fontSize * 6)) y += fontSize * 1.15;
    taken.push({ x, y });
    const m = el("svg:g", { class: "marker", "data-place": p.place_id, tabindex: "0" },
      el("svg:circle", { cx: p.lon, cy: -p.lat, r }),
      el("svg:text", { x, y, "font-size": fontSize }, `${p.name || p.text} (${p.claims.length})`),
      el("svg:title", {}, label));
    m.addEventListener("click", () => selectPlace(p.place_id, m));
    g.append(m);
  }
}

function selectPlace(placeId, marker) {
  const already = marker.classList.contains("selected");
  document.querySelectorAll(".marker.selected").forEach((x) => x.classList.remove("selected"));
  if (!already) marker.classList.add("selected");
  document.querySelectorAll("#timeline li").forEach((li) => {
    li.classList.toggle("dim", !already && !(li.dataset.places || "").split(" ").includes(placeId));
  });
}

// ------------------------------------------------------------------ timeline
function contentWithPlaces(claim) {
  const text = claim.content, spans = claim.places.filter((p) => p.span).map((p) => p.span)
    .sort((a, b) => a[0] - b[0]);
  const out = el("span", { class: "content" });
  let at = 0;
  for (const [s, e] of spans) {
    if (s < at) continue;
    out.append(text.slice(at, s), el("mark", {}, text.slice(s, e)));
    at = e;
  }
  out.append(text.slice(at));
  return out;
}

function claimLine(claim) {
  return el("p", { class: "claim-line" }, el("span", { class: "source" }, claim.source), " — ",
    el("span", { class: "cue" }, claim.cue), " — ", contentWithPlaces(claim));
}

function badges(claim) {
  const out = el("span", { class: "badges" });
  if (claim.outlet_count) out.append(el("span", { class: "badge outlets" }, `${claim.outlet_count} outlet${claim.outlet_count > 1 ? "s" : ""}`));
  if (claim.stance === "deny") out.append(el("span", { class: "badge deny" }, "denial"));
  if (claim.hedged) out.append(el("span", { class: "badge" }, "hedged"));
  for (const d of claim.developments) out.append(el("span", { class: `badge ${d.kind}` }, `${d.kind} by ${d.source}`));
  return out;
}

function timelineItem(claim) {
  const when = (claim.published || "").replace("T", " ").replace("Z", " UTC");
  const places = claim.places.map((p) => p.name || p.text).join(", ");
  return el("li", { "data-places": claim.places.map((p) => p.place_id).join(" "), "data-claim": claim.id },
    el("div", { class: "meta" }, `${when} · ${claim.outlet || "unknown outlet"}${places ? " · " + places : ""}`),
    claimLine(claim),
    el("div", {}, badges(claim), claim.cluster_id ? el("a", { href: `#/clusters/${claim.cluster_id}`, class: "cluster-link" }, "cluster →") : null,
      " ", safeHref(claim.url) ? el("a", { href: safeHref(claim.url), rel: "noopener noreferrer", target: "_blank" }, "article") : null));
}

async function loadClaims(query, append) {
  const params = new URLSearchParams(query.params);
  if (append && state.cursor) params.set("cursor", state.cursor);
  params.set("limit", "50");
  status("loading…");
  try {
    const data = await getJSON(`${query.path}?${params}`);
    state.claims = append ? state.claims.concat(data.claims) : data.claims;
    state.cursor = data.next_cursor;
    const list = $("timeline");
    if (!append) list.replaceChildren();
    for (const c of data.claims) list.append(timelineItem(c));
    $("more").hidden = !state.cursor;
    drawMarkers(state.claims);
    const resolved = data.query.place ? ` (${data.query.place.name}, ${data.query.place.place_id}, matched by ${data.query.place.how})` : "";
    status(`${state.claims.length} claim(s)${resolved}`);
  } catch (err) {
    status(err.message, true);
  }
}

// ------------------------------------------------------------------ cluster view
async function showCluster(id) {
  $("timeline-view").hidden = true;
  $("cluster-view").hidden = false;
  status("loading cluster…");
  try {
    const c = await getJSON(`clusters/${encodeURIComponent(id)}`);
    $("cluster-id").textContent = c.cluster_id;
    $("cluster-claim").replaceChildren(...(c.first_claim ? [claimLine(c.first_claim)] : []));
    $("cluster-facts").textContent = `First seen ${c.first_seen}; carried by ${c.outlet_count} outlet(s) in ${c.article_count} article(s).`;
    $("cluster-developments").replaceChildren(...(c.developments.length ? c.developments.map((d) =>
      el("li", {}, el("span", { class: `badge ${d.kind}` }, d.kind), ` by ${d.source} (${d.outlet || "unknown outlet"}, ${d.published || "undated"})`))
      : [el("li", { class: "meta" }, "none")]));
    $("cluster-outlets").replaceChildren(...c.outlets.map((o) => el("li", { class: "outlet" },
      el("strong", {}, o.outlet), el("span", { class: "meta" }, ` · first ${o.first_published || "undated"} · ${o.claims.length} claim(s)`),
      ...o.claims.map((m) => el("div", { class: "member" }, el("span", { class: "meta" }, `${m.published || ""} `), claimLine(m),
        safeHref(m.url) ? el("a", { href: safeHref(m.url), rel: "noopener noreferrer", target: "_blank" }, "article") : null)))));
    drawMarkers(c.members);
    status(`cluster ${c.cluster_id}: ${c.outlet_count} outlet(s)`);
  } catch (err) {
    status(err.message, true);
  }
}

// ------------------------------------------------------------------ routing: #/watch/ID, #/place/TERM, #/clusters/ID
async function route() {
  await drawWorld().catch((err) => status(`map: ${err.message}`, true));
  const [, kind, ...rest] = location.hash.replace(/^#/, "").split("/");
  const value = decodeURIComponent(rest.join("/"));
  if (kind === "clusters" && value) return showCluster(value);
  $("timeline-view").hidden = false;
  $("cluster-view").hidden = true;
  if (kind === "watch" && value) {
    $("watch-select").value = value;
    $("timeline-title").textContent = `Claims for watch ${value}`;
    state.query = { path: `watches/${encodeURIComponent(value)}/claims`, params: {} };
  } else if (kind === "place" && value) {
    $("place-input").value = value;
    $("timeline-title").textContent = `Claims about ${value}`;
    state.query = { path: "claims", params: { place: value } };
  } else {
    state.query = null;
    $("timeline").replaceChildren();
    drawMarkers([]);
    status("choose a watch or a place");
    return;
  }
  state.cursor = null;
  return loadClaims(state.query, false);
}

async function init() {
  try {
    const data = await getJSON("watches");
    for (const w of data.watches) $("watch-select").append(el("option", { value: w.id }, w.id));
  } catch (err) {
    status(`watches: ${err.message}`, true);
  }
  $("watch-select").addEventListener("change", (e) => { if (e.target.value) location.hash = `#/watch/${encodeURIComponent(e.target.value)}`; });
  $("pick").addEventListener("submit", (e) => {
    e.preventDefault();
    const place = $("place-input").value.trim();
    if (place) location.hash = `#/place/${encodeURIComponent(place)}`;
    else if ($("watch-select").value) location.hash = `#/watch/${encodeURIComponent($("watch-select").value)}`;
  });
  $("more").addEventListener("click", () => state.query && loadClaims(state.query, true));
  $("back").addEventListener("click", (e) => { e.preventDefault(); history.back(); });
  window.addEventListener("hashchange", route);
  route();
}

init();
