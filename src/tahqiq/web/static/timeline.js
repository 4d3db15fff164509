/* A small SVG timeline of the case's events (one lane per kind of event) and the list beneath it.
   Written by hand rather than taken from vis-timeline: a few hundred points need ~100 lines, not
   a 1 MB library. Events come from the gated /api/cases/{ref}/timeline. */
(function () {
  "use strict";
  const T = window.Tahqiq;
  const NS = "http://www.w3.org/2000/svg";
  const LANE = 26, LEFT = 140, RIGHT = 20, TOP = 10, AXIS = 28, WIDTH = 1000;
  const COLOURS = ["#a4262c", "#1c3f85", "#b5651d", "#1f7a3a", "#6b4fa3", "#8a6d00", "#3d7ea6", "#5d6d7e"];

  function svg(tag, attrs, text) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text != null) node.textContent = text;
    return node;
  }

  function draw(box, events, ref) {
    const timed = events.filter((e) => e.time && !isNaN(Date.parse(e.time)));
    if (!timed.length) { box.replaceChildren(T.el("p", { class: "muted" }, "No dated events around this case's subjects.")); return; }
    const kinds = [...new Set(timed.map((e) => e.kind_label || e.kind))].sort();
    let t0 = Math.min(...timed.map((e) => Date.parse(e.time))), t1 = Math.max(...timed.map((e) => Date.parse(e.time)));
    if (t1 === t0) { t0 -= 86400000; t1 += 86400000; }
    const height = TOP + kinds.length * LANE + AXIS;
    const x = (t) => LEFT + ((t - t0) / (t1 - t0)) * (WIDTH - LEFT - RIGHT);
    const root = svg("svg", { viewBox: `0 0 ${WIDTH} ${height}`, role: "img",
      "aria-label": `${timed.length} events from ${T.when(new Date(t0).toISOString())} to ${T.when(new Date(t1).toISOString())}` });
    kinds.forEach((k, i) => {
      const y = TOP + i * LANE + LANE / 2;
      root.append(svg("line", { x1: LEFT, x2: WIDTH - RIGHT, y1: y, y2: y, stroke: "#e3e7ee" }));
      root.append(svg("text", { x: 6, y: y + 4, "font-size": 12, fill: "#1d2430" }, k));
    });
    const axisY = TOP + kinds.length * LANE + 6;
    root.append(svg("line", { x1: LEFT, x2: WIDTH - RIGHT, y1: axisY, y2: axisY, stroke: "#5b6576" }));
    for (let i = 0; i <= 5; i++) {
      const t = t0 + (i / 5) * (t1 - t0);
      root.append(svg("line", { x1: x(t), x2: x(t), y1: axisY, y2: axisY + 5, stroke: "#5b6576" }));
      root.append(svg("text", { x: x(t), y: axisY + 18, "font-size": 11, "text-anchor": i === 0 ? "start" : i === 5 ? "end" : "middle", fill: "#5b6576" },
        new Date(t).toISOString().slice(0, 10)));
    }
    for (const e of timed) {
      const lane = kinds.indexOf(e.kind_label || e.kind);
      const link = svg("a", { href: `/cases/${encodeURIComponent(ref)}/entities/${e.id}`, class: "ev" });
      const dot = svg("circle", { cx: x(Date.parse(e.time)), cy: TOP + lane * LANE + LANE / 2, r: 5,
        fill: COLOURS[lane % COLOURS.length], "fill-opacity": 0.8, "data-event": e.id });
      dot.append(svg("title", {}, `${T.when(e.time)} · ${e.kind_label || e.kind} · ${e.label}${e.place ? " · " + e.place : ""}`));
      link.append(dot);
      root.append(link);
    }
    box.replaceChildren(root);
  }

  function list(box, events, ref) {
    if (!events.length) { box.replaceChildren(); return; }
    const rows = events.map((e) => T.el("tr", {},
      T.el("td", { class: "small" }, T.when(e.time)), T.el("td", {}, e.kind_label || e.kind),
      T.el("td", {}, T.el("a", { href: `/cases/${encodeURIComponent(ref)}/entities/${e.id}` }, T.bidi(e.label))),
      T.el("td", {}, T.bidi(e.place || "")), T.el("td", { class: "small muted" }, e.source || "")));
    box.replaceChildren(T.el("table", { "data-testid": "timeline-events" },
      T.el("thead", {}, T.el("tr", {}, ...["When", "Kind", "Event", "Place", "Source"].map((h) => T.el("th", {}, h)))),
      T.el("tbody", {}, ...rows)));
  }

  async function init(card) {
    const ref = card.dataset.case;
    const chart = card.querySelector("[data-timeline-chart]");
    try {
      const data = await T.api(`/api/cases/${encodeURIComponent(ref)}/timeline` + T.query({ purpose: card.dataset.purpose }));
      const events = Array.isArray(data) ? data : data.events || [];
      draw(chart, events, ref);
      list(card.querySelector("[data-timeline-list]"), events, ref);
      card.dataset.events = String(events.length);
    } catch (err) {
      chart.replaceChildren(T.el("p", { class: "error", role: "alert" }, "Could not load the timeline: " + err.message));
    }
  }

  document.addEventListener("DOMContentLoaded", () => document.querySelectorAll("[data-timeline]").forEach(init));
})();
