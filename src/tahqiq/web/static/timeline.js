/* A small SVG timeline of the case's events (one lane per kind of event) and the list beneath it.
   Written by hand rather than taken from vis-timeline: a few hundred points need little code, not
   a 1 MB library. Events come from the gated /api/cases/{ref}/timeline.
   Brushing: dragging across the chart picks a time range, announced as `tahqiq:timerange`
   {from, to} (ISO strings) on document; the graph dims what lies outside it and the list shows only
   the range. A selection elsewhere (`tahqiq:select` {ids}, from the graph or the map) narrows the
   timeline to the events of those entities. The events themselves are handed to the graph as
   `tahqiq:events` (who each event involves), so that it can brush people and things, not only events. */
(function () {
  "use strict";
  const T = window.Tahqiq;
  const NS = "http://www.w3.org/2000/svg";
  const LANE = 26, LEFT = 150, RIGHT = 20, TOP = 10, AXIS = 28, WIDTH = 1000, PAGE = 25;
  const COLOURS = ["#a4262c", "#1c3f85", "#b5651d", "#1f7a3a", "#6b4fa3", "#8a6d00", "#3d7ea6", "#5d6d7e"];

  function svg(tag, attrs, text) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text != null) node.textContent = text;
    return node;
  }

  /* The kind of an event in the reader's language (the server gives the model's English label). */
  function kindOf(e) { const kind = e.kind_label || e.kind; return kind ? T.t(kind) : ""; }
  /* Sources by their label in the reader's language (the workspace's data block #source-labels). */
  let SOURCES = null;
  function sourceLabel(name) {
    if (SOURCES === null) {
      const block = document.getElementById("source-labels");
      try { SOURCES = block ? JSON.parse(block.textContent) : {}; } catch (e) { SOURCES = {}; }
    }
    return (name && SOURCES[name]) || name || "";
  }

  function init(card) {
    const ref = card.dataset.case;
    const chart = card.querySelector("[data-timeline-chart]");
    const listBox = card.querySelector("[data-timeline-list]");
    const note = card.querySelector("[data-timeline-filter]");
    const state = { events: [], range: null, ids: null, page: 0, scale: null };

    function inRange(e) {
      if (!state.range) return true;
      const t = e.time ? Date.parse(e.time) : NaN;
      return !isNaN(t) && t >= state.range.from && t <= state.range.to;
    }
    function selected(e) {
      return !state.ids || state.ids.has(e.id) || (e.involves || []).some((x) => state.ids.has(x));
    }

    function draw() {
      const timed = state.events.filter((e) => e.time && !isNaN(Date.parse(e.time)));
      if (!timed.length) { chart.replaceChildren(T.el("p", { class: "muted" }, T.t("No dated events around this case's subjects."))); return; }
      const kinds = [...new Set(timed.map((e) => kindOf(e)))].sort();
      let t0 = Math.min(...timed.map((e) => Date.parse(e.time))), t1 = Math.max(...timed.map((e) => Date.parse(e.time)));
      if (t1 === t0) { t0 -= 86400000; t1 += 86400000; }
      const height = TOP + kinds.length * LANE + AXIS;
      const x = (t) => LEFT + ((t - t0) / (t1 - t0)) * (WIDTH - LEFT - RIGHT);
      state.scale = { t0, t1, x, toTime: (px) => t0 + ((px - LEFT) / (WIDTH - LEFT - RIGHT)) * (t1 - t0) };
      // Time runs left to right in both languages (like the dates' digits); the lanes' names stay at
      // the start of the axis, where x = 6 puts them, and Urdu names keep their own order inside.
      const root = svg("svg", { viewBox: `0 0 ${WIDTH} ${height}`, role: "img", class: "timeline-svg", direction: "ltr",
        "aria-label": T.t("%(n)s events from %(from)s to %(to)s; drag across the chart to pick a time range",
          { n: timed.length, from: T.when(new Date(t0).toISOString()), to: T.when(new Date(t1).toISOString()) }) });
      root.append(svg("rect", { x: LEFT, y: 0, width: WIDTH - LEFT - RIGHT, height, fill: "transparent", class: "brush-area" }));
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
          T.time(new Date(t).toISOString(), false).slice(0, 10)));
      }
      if (state.range) {
        const a = Math.max(LEFT, x(state.range.from)), b = Math.min(WIDTH - RIGHT, x(state.range.to));
        if (b > a) root.append(svg("rect", { x: a, y: 0, width: b - a, height: axisY, class: "brush", "data-brush": "" }));
      }
      for (const e of timed) {
        const lane = kinds.indexOf(kindOf(e));
        const on = selected(e) && inRange(e);
        const link = svg("a", { href: `/cases/${encodeURIComponent(ref)}/entities/${e.id}`, class: "ev" });
        const dot = svg("circle", { cx: x(Date.parse(e.time)), cy: TOP + lane * LANE + LANE / 2, r: on ? 5 : 3.5,
          fill: COLOURS[lane % COLOURS.length], "fill-opacity": on ? 0.85 : 0.15, "data-event": e.id, "data-on": on ? "1" : "0" });
        dot.append(svg("title", {}, `${T.when(e.time)} · ${kindOf(e)} · ${e.label}${e.place ? " · " + e.place : ""}`));
        link.append(dot);
        root.append(link);
      }
      brushing(root);
      chart.replaceChildren(root);
    }

    /* Drag across the chart to pick a range; a click without a drag clears it. */
    function brushing(root) {
      let start = null, rect = null;
      const at = (evt) => { const p = root.createSVGPoint(); p.x = evt.clientX; p.y = evt.clientY; return p.matrixTransform(root.getScreenCTM().inverse()).x; };
      root.addEventListener("pointerdown", (evt) => {
        if (evt.button !== 0 || !state.scale || evt.target.closest("a")) return;  // a dot: its link opens the event
        const px = at(evt);
        if (px < LEFT) return;
        start = px;
        rect = svg("rect", { x: px, y: 0, width: 0, height: TOP + 4, class: "brush" });
        rect.setAttribute("height", root.viewBox.baseVal.height - AXIS + 6);
        root.append(rect);
        root.setPointerCapture(evt.pointerId);
        evt.preventDefault();
      });
      root.addEventListener("pointermove", (evt) => {
        if (start === null) return;
        const px = Math.max(LEFT, Math.min(WIDTH - RIGHT, at(evt)));
        rect.setAttribute("x", Math.min(start, px));
        rect.setAttribute("width", Math.abs(px - start));
      });
      root.addEventListener("pointerup", (evt) => {
        if (start === null) return;
        const px = Math.max(LEFT, Math.min(WIDTH - RIGHT, at(evt)));
        const a = Math.min(start, px), b = Math.max(start, px);
        start = null;
        if (b - a < 4) { if (state.range) setRange(null); else rect.remove(); return; }  // a click clears the range
        setRange({ from: state.scale.toTime(a), to: state.scale.toTime(b) });
      });
    }

    function setRange(range, fromOutside) {
      state.range = range;
      state.page = 0;
      card.dataset.range = range ? "1" : "";
      draw();
      list();
      if (!fromOutside) {
        document.dispatchEvent(new CustomEvent("tahqiq:timerange", { detail: range
          ? { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString(), source: "timeline" }
          : { from: null, to: null, source: "timeline" } }));
      }
    }

    function list() {
      const shown = state.events.filter((e) => selected(e) && inRange(e));
      card.dataset.shown = String(shown.length);
      const notes = [];
      if (state.ids) notes.push(T.nt("%(num)s event of the selection.", "%(num)s events of the selection.", shown.length));
      if (state.range) notes.push(T.t("From %(from)s to %(to)s.", { from: T.time(new Date(state.range.from).toISOString()), to: T.time(new Date(state.range.to).toISOString()) }));
      note.hidden = !notes.length;
      note.querySelector("[data-filter-text]").textContent = notes.join(" ");
      if (!shown.length) { listBox.replaceChildren(state.events.length ? T.el("p", { class: "muted" }, T.t("No events match.")) : ""); return; }
      const pages = Math.ceil(shown.length / PAGE);
      state.page = Math.min(state.page, pages - 1);
      const rows = shown.slice(state.page * PAGE, (state.page + 1) * PAGE).map((e) => T.el("tr", {},
        T.el("td", { class: "small" }, T.when(e.time)), T.el("td", {}, kindOf(e)),
        T.el("td", {}, T.el("a", { href: `/cases/${encodeURIComponent(ref)}/entities/${e.id}` }, T.bidi(e.label))),
        T.el("td", {}, T.bidi(e.place || "")), T.el("td", { class: "small muted" }, sourceLabel(e.source))));
      const pager = T.el("nav", { class: "pager", "aria-label": T.t("Pages of events") },
        T.el("button", { type: "button", class: "secondary", disabled: state.page === 0, onclick: () => { state.page--; list(); } }, T.t("Previous")),
        T.el("span", { "data-testid": "timeline-page" }, T.t("Page %(page)s of %(pages)s", { page: state.page + 1, pages })),
        T.el("button", { type: "button", class: "secondary", disabled: state.page >= pages - 1, onclick: () => { state.page++; list(); } }, T.t("Next")));
      listBox.replaceChildren(T.el("table", { "data-testid": "timeline-events" },
        T.el("thead", {}, T.el("tr", {}, ...[T.t("When"), T.t("Kind"), T.t("Event"), T.t("Place"), T.t("Source")].map((h) => T.el("th", {}, h)))),
        T.el("tbody", {}, ...rows)), pages > 1 ? pager : "");
    }

    document.addEventListener("tahqiq:select", (evt) => {
      const ids = (evt.detail && evt.detail.ids) || [];
      state.ids = ids.length ? new Set(ids) : null;
      state.page = 0;
      draw();
      list();
    });
    document.addEventListener("tahqiq:timerange", (evt) => {
      const d = evt.detail || {};
      if (d.source === "timeline") return;
      setRange(d.from || d.to ? { from: d.from ? Date.parse(d.from) : -Infinity, to: d.to ? Date.parse(d.to) : Infinity } : null, true);
    });
    note.querySelector("[data-filter-clear]").addEventListener("click", () => {
      state.ids = null;
      setRange(null);
      document.dispatchEvent(new CustomEvent("tahqiq:select", { detail: { ids: [], source: "timeline" } }));
    });

    (async () => {
      try {
        const data = await T.api(`/api/cases/${encodeURIComponent(ref)}/timeline` + T.query({ purpose: card.dataset.purpose }));
        state.events = Array.isArray(data) ? data : data.events || [];
        draw();
        list();
        card.dataset.events = String(state.events.length);
        document.dispatchEvent(new CustomEvent("tahqiq:events", { detail: { events: state.events } }));
      } catch (err) {
        chart.replaceChildren(T.el("p", { class: "error", role: "alert" }, T.t("Could not load the timeline: %(reason)s", { reason: err.message })));
      }
    })();
  }

  document.addEventListener("DOMContentLoaded", () => document.querySelectorAll("[data-timeline]").forEach(init));
})();
