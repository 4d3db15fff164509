/* The case's link chart (cytoscape + fcose). It draws people, not records: the server folds the
   records of one resolved person (or sharing a CNIC) into one node that lists them; a double-click
   or the details panel opens such a node up into its records and closes it again.
   Selecting a node shows its details (an audited read); "Expand links" adds its neighbours; paths
   are searched between two nodes within a visible hop limit; the chart (positions, people opened
   up, annotations) is saved under the case and reopened from the list.
   Brushing: a selection is announced as `tahqiq:select` {ids} on document (the timeline and the
   map follow it); a time range brushed on the timeline arrives as `tahqiq:timerange` {from, to}
   and dims what lies outside it; the map's `tahqiq:select` selects the nodes it names. */
(function () {
  "use strict";
  const T = window.Tahqiq;
  const COLOURS = {
    Person: "#1c3f85", Phone: "#b5651d", Vehicle: "#6b4fa3", BankAccount: "#1f7a3a", Address: "#7d6b4f",
    IdentityDocument: "#3d7ea6", FirIncident: "#a4262c", Warrant: "#c2185b", Transaction: "#4c8c2b",
    CheckpointCheck: "#8a6d00", PlateRead: "#9c6f19", Complaint: "#b03a2e", OsintEvent: "#5d6d7e", Organization: "#117a65",
  };
  const LABEL_CHARS = 34;     // longer captions are cut with an ellipsis (the details panel has them whole)
  const MIN_ZOOM = 0.75;      // below this, 11px labels fall under ~8px on screen: pan instead of shrinking
  const MAX_FIT_ZOOM = 1.4;

  function short(text) { text = text || ""; return text.length > LABEL_CHARS ? text.slice(0, LABEL_CHARS - 1) + "…" : text; }
  /* A caption drawn on the canvas: the canvas takes the page's direction, so in Urdu a phone number,
     plate or Latin name would come out mirrored ("923342248668+"); isolate it left to right
     (U+2066 … U+2069, invisible). Urdu captions are drawn right to left as they are. */
  function drawn(text) { return T.isRtl() && text && !T.isUrdu(text) ? "\u2066" + text + "\u2069" : text; }
  /* A label from the model (a relation, a kind) in the reader's language. */
  function words(text) { return text ? T.t(text) : ""; }
  /* Sources by their label in the reader's language (the workspace's data block #source-labels). */
  let SOURCES = null;
  function sourceLabel(name) {
    if (SOURCES === null) {
      const block = document.getElementById("source-labels");
      try { SOURCES = block ? JSON.parse(block.textContent) : {}; } catch (e) { SOURCES = {}; }
    }
    return (name && SOURCES[name]) || name || "";
  }
  function recordsOf(d) { return (d.records && d.records.length) ? d.records.map((r) => r.id) : [d.id]; }

  function init(card) {
    const status = card.querySelector("[data-graph-status]");
    if (!window.cytoscape) { status.textContent = T.t("The graph library did not load (run `make assets`)."); return; }
    if (window.cytoscapeFcose) cytoscape.use(window.cytoscapeFcose);
    const ref = card.dataset.case, purpose = card.dataset.purpose;
    const base = `/api/cases/${encodeURIComponent(ref)}`;
    const panel = card.querySelector("[data-details]");
    const hopsInput = card.querySelector("[data-hops]");
    const state = {
      recordNode: new Map(),   // record id -> the node drawn for it
      edges: new Map(),        // edge id -> edge data as the server gave it (between people, with `via`)
      people: new Map(),       // person node id -> its data, while it is opened up into records
      expanded: new Set(),     // nodes whose links were read
      annotations: {},         // node id -> the analyst's note
      range: null,             // the brushed time range {from, to} in ms, or null
      eventsInvolving: null,   // from the timeline: event id -> ids it involves (for brushing non-event nodes)
    };

    const cy = cytoscape({
      container: card.querySelector("#graph"),
      wheelSensitivity: 0.3, minZoom: 0.2, maxZoom: 3,
      style: [
        { selector: "node", style: {
            "background-color": (n) => COLOURS[n.data("schema")] || "#777", label: "data(display)",
            "font-size": 11, "text-valign": "bottom", "text-halign": "center", "text-margin-y": 4,
            "text-wrap": "wrap", "text-max-width": 120, "line-height": 1.15, color: "#1d2430",
            "text-background-color": "#fbfcfd", "text-background-opacity": 0.85, "text-background-padding": 1,
            "min-zoomed-font-size": 6, width: 22, height: 22 } },
        { selector: "node[?urdu]", style: { "font-family": "Noto Nastaliq Urdu, serif", "font-size": 12, "line-height": 1.9 } },
        { selector: "node[?is_event]", style: { shape: "round-rectangle", width: 18, height: 18 } },
        { selector: "node[?person]", style: { width: 30, height: 30, "border-width": 3, "border-color": "#fff",
            "border-opacity": 1, shape: "ellipse" } },
        { selector: "node[?subject]", style: { "border-width": 4, "border-color": "#b5651d", width: 32, height: 32, "font-weight": "bold" } },
        { selector: "node.expanded", style: { "border-style": "double", "border-width": 5 } },
        { selector: "node.record", style: { "border-width": 2, "border-color": "#1c3f85", "border-style": "dashed" } },
        { selector: "node.annotated", style: { "outline-width": 0, "underlay-color": "#f5c542", "underlay-opacity": 0.5, "underlay-padding": 6 } },
        { selector: "node:selected", style: { "overlay-color": "#2563eb", "overlay-opacity": 0.18, "overlay-padding": 8 } },
        { selector: "edge", style: {
            width: 1.5, "line-color": "#9aa5b5", "curve-style": "bezier", label: "data(label)", "font-size": 9,
            color: "#4a5466", "text-rotation": "autorotate", "text-background-color": "#fbfcfd",
            "text-background-opacity": 0.9, "text-background-padding": 1, "min-zoomed-font-size": 8,
            "target-arrow-shape": "triangle", "target-arrow-color": "#9aa5b5", "arrow-scale": 0.8 } },
        { selector: "edge[relation ^= 'same_']", style: { "line-style": "dashed", "target-arrow-shape": "none" } },
        { selector: "edge[relation = 'same_person']", style: { "line-color": "#1c3f85", "line-style": "dotted", "target-arrow-shape": "none" } },
        { selector: ".hidden", style: { display: "none" } },
        { selector: ".dim", style: { opacity: 0.18 } },
        { selector: "edge.path", style: { "line-color": "#d35400", "target-arrow-color": "#d35400", width: 4 } },
        { selector: "node.path", style: { "border-color": "#d35400", "border-width": 5 } },
        { selector: "edge.quiet", style: { label: "" } },
      ],
    });
    window.tahqiqGraph = cy;  // for the browser tests and for analysts' own console work

    // --- the chart's contents --------------------------------------------------------------------

    function nodeData(d) {
      const n = recordsOf(d).length;
      const data = Object.assign({}, d, { urdu: T.isUrdu(d.label), person: n > 1 });
      // A person: name and how many records; an event: what and when (twenty reads of one plate differ only by time).
      data.display = n > 1 ? `${drawn(short(d.label))}\n${T.nt("%(num)s record", "%(num)s records", n)}`
        : d.is_event && d.time ? `${drawn(short(d.label))}\n${T.time(d.time)}` : drawn(short(d.label));
      return data;
    }

    /* Add nodes (merging one that holds a record already drawn) and edges from an API answer. */
    function add(answer) {
      let fresh = 0;
      for (const n of answer.nodes || []) {
        const d = n.data || n;
        const recs = recordsOf(d);
        const existing = recs.map((r) => state.recordNode.get(r)).find((id) => id && cy.getElementById(id).nonempty());
        if (existing) {
          const node = cy.getElementById(existing);
          const known = node.data("records") && node.data("records").length ? node.data("records")
            : [{ id: node.id(), label: node.data("label"), label_script: node.data("label_script"), source: node.data("source") }];
          const more = (d.records || []).filter((r) => !known.some((k) => k.id === r.id));
          if (more.length && !node.hasClass("record")) {
            const merged = Object.assign({}, node.data(), { records: known.concat(more),
              sources: [...new Set([...(node.data("sources") || [node.data("source")]), ...(d.sources || [])])].sort() });
            if (d.records && d.records.length >= known.length) merged.label = d.label;
            node.data(nodeData(merged));
          }
          if (d.subject) node.data("subject", true);
          recs.forEach((r) => { if (!state.recordNode.has(r)) state.recordNode.set(r, existing); });
          continue;
        }
        cy.add({ group: "nodes", data: nodeData(d), position: d.position });
        recs.forEach((r) => state.recordNode.set(r, d.id));
        fresh++;
      }
      for (const e of answer.edges || []) {
        const d = e.data || e;
        if (!state.edges.has(d.id)) state.edges.set(d.id, d);
      }
      project();
      return fresh;
    }

    /* Draw the known edges between the nodes drawn now: each link at the nodes its records are in. */
    function project() {
      const keep = new Map();
      const at = (id) => state.recordNode.get(id) || id;
      for (const d of state.edges.values()) {
        const pairs = d.via && d.via.length ? d.via : [[d.source, d.target]];
        for (const [a, b] of pairs) {
          const s = at(a), t = at(b);
          if (s === t || cy.getElementById(s).empty() || cy.getElementById(t).empty()) continue;
          const id = `${s}~${d.relation}~${t}`;
          // the relation's name in the reader's language (the server gives the model's English label)
          if (!keep.has(id)) keep.set(id, Object.assign({}, d, { id, source: s, target: t, via: undefined, label: words(d.label) }));
        }
      }
      for (const [pid, person] of state.people) {  // a person opened up: their records stay joined
        const recs = recordsOf(person);
        for (const r of recs.slice(1)) {
          const id = `${recs[0]}~same_person~${r}`;
          if (cy.getElementById(recs[0]).nonempty() && cy.getElementById(r).nonempty()) {
            keep.set(id, { id, source: recs[0], target: r, relation: "same_person", label: T.t("same person"), person: pid });
          }
        }
      }
      cy.batch(() => {
        cy.edges().filter((e) => !keep.has(e.id())).remove();
        cy.add([...keep.values()].filter((d) => cy.getElementById(d.id).empty()).map((data) => ({ group: "edges", data })));
      });
      applyFilter();
    }

    /* Open a person up into their records (placed around where the person was), or close them again. */
    function openUp(id) {
      const node = cy.getElementById(id);
      if (node.empty() || !node.data("person")) return;
      const d = Object.assign({}, node.data()), p = node.position();
      state.people.set(id, d);
      node.remove();
      d.records.forEach((r, i) => {
        const angle = (2 * Math.PI * i) / d.records.length;
        cy.add({ group: "nodes", classes: "record", position: { x: p.x + 70 * Math.cos(angle), y: p.y + 70 * Math.sin(angle) },
          data: nodeData({ id: r.id, label: r.label, label_script: r.label_script, source: r.source, schema: d.schema,
            schema_label: d.schema_label, is_event: false, subject: d.subject, person_of: id }) });
        state.recordNode.set(r.id, r.id);
      });
      project();
      spread();
      refreshSelects();
      status.textContent = T.t("%(name)s is shown as %(n)s records.", { name: d.label, n: d.records.length });
    }

    function closeUp(personId) {
      const d = state.people.get(personId);
      if (!d) return;
      const recs = cy.nodes().filter((n) => n.data("person_of") === personId);
      const p = recs.nonempty() ? recs.boundingBox() : { x1: 0, x2: 0, y1: 0, y2: 0 };
      recs.remove();
      state.people.delete(personId);
      cy.add({ group: "nodes", data: d, position: { x: (p.x1 + p.x2) / 2, y: (p.y1 + p.y2) / 2 } });
      recordsOf(d).forEach((r) => state.recordNode.set(r, personId));
      project();
      refreshSelects();
      select(cy.getElementById(personId));
    }

    // --- layout --------------------------------------------------------------------------------

    /* Labels (at their font size, in the chart's own units) must not overlap: after the layout,
       move the nodes apart from the centre until no two label boxes meet (measured, not guessed). */
    function overlaps() {
      const boxes = cy.nodes().not(".hidden").map((n) => n.boundingBox({ includeLabels: true, includeOverlays: false }));
      let count = 0;
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i], b = boxes[j];
          if (a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2) count++;
        }
      }
      return count;
    }

    function spread() {
      const nodes = cy.nodes().not(".hidden");
      if (nodes.length < 2) return;
      for (let round = 0; round < 12 && overlaps(); round++) {
        const bb = nodes.boundingBox(), cx = (bb.x1 + bb.x2) / 2, cy0 = (bb.y1 + bb.y2) / 2;
        nodes.positions((n) => ({ x: cx + (n.position("x") - cx) * 1.3, y: cy0 + (n.position("y") - cy0) * 1.3 }));
      }
    }

    function fit() {
      const shown = cy.elements().not(".hidden");
      cy.fit(shown, 30);
      if (cy.zoom() > MAX_FIT_ZOOM) { cy.zoom(MAX_FIT_ZOOM); cy.center(shown); }  // a few nodes: not drawn huge
      if (cy.zoom() < MIN_ZOOM) {  // legible labels first: centre on the subjects, the analyst pans to the rest
        cy.zoom(MIN_ZOOM);
        const subjects = cy.nodes("[?subject]").not(".hidden");
        cy.center(subjects.nonempty() ? subjects : shown);
      }
    }

    function layout(first) {
      applyFilter();
      const visible = cy.elements().not(".hidden");
      if (first) {  // subjects first: on a circle around the centre; what joins them between them
        const subjects = cy.nodes("[?subject]");
        const r = 60 + 45 * subjects.length;
        subjects.forEach((n, i) => n.position({ x: r * Math.cos((2 * Math.PI * i) / subjects.length), y: r * Math.sin((2 * Math.PI * i) / subjects.length) }));
        cy.nodes().not("[?subject]").forEach((n) => {
          const near = n.neighborhood("node[?subject]");
          const bb = near.nonempty() ? near.boundingBox() : { x1: 0, x2: 0, y1: 0, y2: 0 };
          n.position({ x: (bb.x1 + bb.x2) / 2 + Math.random() * 20, y: (bb.y1 + bb.y2) / 2 + Math.random() * 20 });
        });
      }
      const opts = window.cytoscapeFcose
        ? { name: "fcose", quality: "proof", randomize: false, animate: false, fit: false, nodeDimensionsIncludeLabels: true,
            nodeRepulsion: () => 9000, idealEdgeLength: () => 110, nodeSeparation: 90, packComponents: true, tile: true,
            tilingPaddingVertical: 30, tilingPaddingHorizontal: 30 }
        : { name: "cose", animate: false, fit: false, nodeDimensionsIncludeLabels: true };
      if (visible.nodes().length > 1) visible.layout(opts).run();
      spread();
      fit();
      refreshSelects();
      legend();
    }

    function checkedRelations() { return [...card.querySelectorAll('input[name="relation"]:checked')].map((i) => i.value); }
    function allRelations() { return [...card.querySelectorAll('input[name="relation"]')].map((i) => i.value); }
    function relationParam() { const on = checkedRelations(); return on.length === allRelations().length ? "" : on.join(","); }

    function applyFilter() {
      const on = new Set(checkedRelations().concat(["same_person"]));
      cy.edges().forEach((e) => e.toggleClass("hidden", !on.has(e.data("relation"))));
      // A node reachable only through hidden links is hidden too; subjects, expanded and records of an opened person stay.
      cy.nodes().forEach((n) => {
        const keep = n.data("subject") || n.hasClass("expanded") || n.hasClass("record") || n.connectedEdges().not(".hidden").nonempty();
        n.toggleClass("hidden", !keep);
      });
      quietLabels();
    }

    /* Edge labels name the relation; twenty "Same registration plate" around one hub are noise, so
       on a busy chart only the selection's and the paths' links keep theirs. */
    function quietLabels() {
      const shown = cy.edges().not(".hidden");
      const busy = shown.length > 24;
      const sel = cy.nodes(":selected").connectedEdges();
      shown.forEach((e) => e.toggleClass("quiet", busy && !e.hasClass("path") && !sel.contains(e)));
    }

    // --- reading: expansion, paths, details ------------------------------------------------------

    async function expand(id) {
      const node = cy.getElementById(id);
      if (node.empty()) return;
      status.textContent = T.t("Reading the links of %(name)s…", { name: node.data("label") });
      card.setAttribute("aria-busy", "true");
      try {
        const data = await T.api(`${base}/graph/neighbours` + T.query({ entity: recordsOf(node.data()).join(","),
          relations: relationParam(), people: "true", purpose }));
        const p = node.position();
        const before = new Set(cy.nodes().map((n) => n.id()));
        const added = add(data);
        node.addClass("expanded");
        state.expanded.add(id);
        // new nodes start around the one they came from, so the layout only nudges the rest
        cy.nodes().filter((n) => !before.has(n.id())).forEach((n, i, all) => {
          const a = (2 * Math.PI * i) / Math.max(1, all.length);
          n.position({ x: p.x + 90 * Math.cos(a), y: p.y + 90 * Math.sin(a) });
        });
        layout(false);
        status.textContent = T.t("%(name)s: %(n)s new neighbours (%(nodes)s nodes, %(links)s links). Each expansion is an audited read.",
          { name: node.data("label"), n: added, nodes: cy.nodes().length, links: cy.edges().length });
        card.dataset.expansions = String(Number(card.dataset.expansions || 0) + 1);
        if (panel.dataset.node === id) showDetails(node);
      } catch (err) {
        status.textContent = T.t("Could not expand: %(reason)s", { reason: err.message });
      } finally { card.removeAttribute("aria-busy"); }
    }

    async function findPaths() {
      const a = card.querySelector("#path-a").value, b = card.querySelector("#path-b").value;
      const hops = Number(hopsInput.value);
      if (!a || !b || a === b) { status.textContent = T.t("Choose two different nodes to find paths between."); return; }
      cy.elements().removeClass("path");
      status.textContent = T.t("Searching for paths of up to %(n)s links…", { n: hops });
      card.setAttribute("aria-busy", "true");
      try {
        const ends = (id) => recordsOf(cy.getElementById(id).data()).join(",");
        const data = await T.api(`${base}/graph/paths` + T.query({ a: ends(a), b: ends(b), max_hops: hops,
          relations: relationParam(), people: "true", purpose }));
        add(data);
        layout(false);
        const at = (id) => state.recordNode.get(id) || id;
        for (const path of data.paths || []) {
          const ids = path.map(at);
          ids.forEach((id, i) => {
            cy.getElementById(id).addClass("path");
            if (i) cy.getElementById(ids[i - 1]).edgesWith(cy.getElementById(id)).addClass("path");
          });
        }
        quietLabels();
        const n = (data.paths || []).length;
        status.textContent = n
          ? T.t("%(n)s shortest path(s) of %(links)s link(s), highlighted.", { n, links: data.paths[0].length - 1 })
          : T.nt("No path of up to %(num)s link between them.", "No path of up to %(num)s links between them.", hops);
        card.dataset.paths = String(n);
      } catch (err) {
        status.textContent = T.t("Could not search paths: %(reason)s", { reason: err.message });
      } finally { card.removeAttribute("aria-busy"); }
    }

    function factRow(f) {
      const value = f.identifier ? T.ident(f.value) : T.bidi(f.value);
      return [T.el("dt", {}, T.t(f.label)), T.el("dd", {}, value, " ",
        T.el("span", { class: "small muted" }, f.sources.map(sourceLabel).join(T.t(", "))))];
    }

    async function showDetails(node) {
      const id = node.id(), d = node.data();
      panel.dataset.node = id;
      panel.hidden = false;
      const body = panel.querySelector("[data-details-body]");
      body.replaceChildren(T.el("p", { class: "muted" }, T.t("Reading the details…")));
      const person = d.person, record = node.hasClass("record");
      panel.querySelector("[data-open-up]").hidden = !person;
      panel.querySelector("[data-close-up]").hidden = !record;
      panel.querySelector("[data-entity-link]").href = `/cases/${encodeURIComponent(ref)}/entities/${encodeURIComponent(id)}` +
        (purpose ? T.query({ purpose }) : "");
      const note = panel.querySelector("[data-annotation]");
      note.value = state.annotations[id] || "";
      try {
        const det = await T.api(`${base}/graph/details` + T.query({ entity: recordsOf(d).join(","), purpose }));
        if (panel.dataset.node !== id) return;  // another node was chosen meanwhile
        const facts = det.facts.slice(0, 14);
        const parts = [
          T.el("h3", { "data-testid": "details-title" }, T.bidi(det.label)),
          T.el("p", { class: "muted small" }, T.t(det.schema_label), " · ",
            det.records.length > 1 ? T.t("one person from %(n)s records", { n: det.records.length }) : T.t("one record"),
            d.subject ? " · " + T.t("subject of the case") : ""),
          T.el("dl", { class: "facts", "data-testid": "details-facts" }, ...facts.flatMap(factRow)),
        ];
        if (det.facts.length > facts.length) parts.push(T.el("p", { class: "small muted" }, T.t("%(n)s more values on the entity page.", { n: det.facts.length - facts.length })));
        parts.push(T.el("h4", {}, T.t("Sources")), T.el("ul", { class: "records", "data-testid": "details-records" },
          ...det.records.map((r) => T.el("li", {}, T.el("a", { href: `/cases/${encodeURIComponent(ref)}/entities/${encodeURIComponent(r.id)}` }, T.bidi(r.label)),
            " ", T.el("span", { class: "small muted" }, sourceLabel(r.source))))));
        body.replaceChildren(...parts);
      } catch (err) {
        body.replaceChildren(T.el("p", { class: "error", role: "alert" }, T.t("Could not read the details: %(reason)s", { reason: err.message })));
      }
    }

    function select(node) {
      cy.elements().unselect();
      if (!node || node.empty()) { panel.hidden = true; delete panel.dataset.node; announce([]); return; }
      node.select();
      quietLabels();
      showDetails(node);
      announce(recordsOf(node.data()));
    }

    // --- brushing ------------------------------------------------------------------------------

    function announce(ids) {
      document.dispatchEvent(new CustomEvent("tahqiq:select", { detail: { ids, source: "graph" } }));
    }

    function applyRange() {
      cy.elements().removeClass("dim");
      card.querySelector("[data-range]").hidden = !state.range;
      if (!state.range) return;
      const { from, to } = state.range;
      const inside = new Set();
      cy.nodes().forEach((n) => {
        const t = n.data("time") ? Date.parse(n.data("time")) : NaN;
        if (!isNaN(t) && t >= from && t <= to) { inside.add(n.id()); }
      });
      // a thing or person is inside when one of its events is (the timeline knows who each event involves)
      for (const [eid, ev] of state.eventsInvolving || []) {
        if (ev.t < from || ev.t > to) continue;
        [eid, ...ev.involves].forEach((x) => { const n = state.recordNode.get(x) || x; if (cy.getElementById(n).nonempty()) inside.add(n); });
      }
      cy.nodes().forEach((n) => n.toggleClass("dim", !inside.has(n.id())));
      cy.edges().forEach((e) => e.toggleClass("dim", !(inside.has(e.source().id()) && inside.has(e.target().id()))));
      card.querySelector("[data-range-text]").textContent = T.t("Showing %(n)s nodes with events from %(from)s to %(to)s.",
        { n: inside.size, from: T.time(new Date(from).toISOString()), to: T.time(new Date(to).toISOString()) });
    }

    document.addEventListener("tahqiq:timerange", (evt) => {
      const d = evt.detail || {};
      state.range = d.from || d.to ? { from: d.from ? Date.parse(d.from) : -Infinity, to: d.to ? Date.parse(d.to) : Infinity } : null;
      applyRange();
    });
    document.addEventListener("tahqiq:events", (evt) => {  // the timeline's events: who each involves
      state.eventsInvolving = new Map((evt.detail.events || []).filter((e) => e.time)
        .map((e) => [e.id, { t: Date.parse(e.time), involves: e.involves || [] }]));
      applyRange();
    });
    document.addEventListener("tahqiq:select", (evt) => {
      const d = evt.detail || {};
      if (d.source === "graph") return;
      const nodes = cy.collection();
      for (const id of d.ids || []) { const n = cy.getElementById(state.recordNode.get(id) || id); if (n.nonempty()) nodes.merge(n); }
      cy.elements().unselect();
      nodes.select();
      if (nodes.length === 1) showDetails(nodes[0]);
    });

    // --- saving and reopening charts ---------------------------------------------------------------

    function snapshot() {
      return {
        nodes: cy.nodes().map((n) => ({ data: Object.assign({}, n.data()), position: n.position(), classes: n.classes().filter((c) => c === "expanded" || c === "record") })),
        edges: [...state.edges.values()],
        split: [...state.people.entries()].map(([id, data]) => ({ id, data })),
        annotations: Object.assign({}, state.annotations),
        hops: Number(hopsInput.value), relations: checkedRelations(),
      };
    }

    async function saveChart(evt) {
      evt.preventDefault();
      const title = card.querySelector("#chart-title").value.trim();
      if (!title) { status.textContent = T.t("Give the chart a title."); return; }
      status.textContent = T.t("Saving the chart…");
      try {
        const saved = await T.api(`${base}/charts` + T.query({ purpose }), { method: "POST",
          headers: { "Content-Type": "application/json" }, body: JSON.stringify({ title, body: snapshot() }) });
        status.textContent = T.t("Chart “%(title)s” saved (%(n)s nodes).", { title: saved.title, n: saved.nodes });
        card.dataset.saved = String(saved.id);
        listCharts();
      } catch (err) { status.textContent = T.t("Could not save the chart: %(reason)s", { reason: err.message }); }
    }

    async function listCharts() {
      const sel = card.querySelector("#chart-list");
      try {
        const charts = await T.api(`${base}/charts` + T.query({ purpose }));
        sel.replaceChildren(T.el("option", { value: "" }, charts.length ? T.t("Choose a saved chart") : T.t("No saved charts yet")),
          ...charts.map((c) => T.el("option", { value: c.id }, T.t("%(title)s · %(author)s · %(when)s · %(n)s nodes",
            { title: c.title, author: c.author, when: T.time(c.created_at), n: c.nodes }))));
      } catch (err) { sel.replaceChildren(T.el("option", { value: "" }, T.t("Could not list the charts"))); }
    }

    async function openChart() {
      const id = card.querySelector("#chart-list").value;
      if (!id) return;
      status.textContent = T.t("Opening the chart…");
      try {
        const chart = await T.api(`${base}/charts/${encodeURIComponent(id)}` + T.query({ purpose }));
        const b = chart.body || {};
        cy.elements().remove();
        state.recordNode.clear(); state.edges.clear(); state.people.clear(); state.expanded.clear();
        state.annotations = Object.assign({}, b.annotations || {});
        for (const s of b.split || []) state.people.set(s.id, s.data);
        for (const n of b.nodes || []) {
          cy.add({ group: "nodes", data: n.data, position: n.position, classes: (n.classes || []).join(" ") });
          if (n.data.person_of) state.recordNode.set(n.data.id, n.data.id);
          else recordsOf(n.data).forEach((r) => state.recordNode.set(r, n.data.id));
          if ((n.classes || []).includes("expanded")) state.expanded.add(n.data.id);
        }
        for (const e of b.edges || []) state.edges.set(e.id, e);
        if (b.hops) { hopsInput.value = b.hops; showHops(); }
        if (b.relations) card.querySelectorAll('input[name="relation"]').forEach((i) => { i.checked = b.relations.includes(i.value); });
        project();
        markAnnotated();
        fit(); refreshSelects(); legend();
        status.textContent = T.t("Chart “%(title)s” by %(author)s, saved %(when)s.", { title: chart.title, author: chart.author, when: T.time(chart.created_at) });
        card.dataset.opened = String(chart.id);
      } catch (err) { status.textContent = T.t("Could not open the chart: %(reason)s", { reason: err.message }); }
    }

    function markAnnotated() { cy.nodes().forEach((n) => n.toggleClass("annotated", Boolean(state.annotations[n.id()]))); }

    // --- controls --------------------------------------------------------------------------------

    function refreshSelects() {
      const nodes = cy.nodes().sort((x, y) => (y.data("subject") ? 1 : 0) - (x.data("subject") ? 1 : 0) || (x.data("label") || "").localeCompare(y.data("label") || ""));
      for (const sel of card.querySelectorAll("[data-node-select]")) {
        const keep = sel.value;
        sel.replaceChildren(...nodes.map((n) => T.el("option", { value: n.id() },
          (n.data("subject") ? "★ " : "") + drawn(short(n.data("label"))) + " · " + words(n.data("schema_label") || n.data("schema")))));
        if (keep && cy.getElementById(keep).nonempty()) sel.value = keep;
      }
      const sels = card.querySelectorAll("#path-a, #path-b");
      if (sels.length === 2 && sels[0].value === sels[1].value && nodes.length > 1) sels[1].value = nodes[1].id();
    }

    function legend() {
      const seen = new Map(cy.nodes().map((n) => [n.data("schema"), T.t(n.data("schema_label") || n.data("schema"))]));
      card.querySelector("[data-legend]").replaceChildren(...[...seen].sort((a, b) => a[1].localeCompare(b[1])).map(([s, label]) =>
        T.el("span", {}, T.el("i", { style: `background:${COLOURS[s] || "#777"}` }), label)));
    }

    function showHops() {
      card.querySelector("[data-hops-text]").textContent = T.nt("up to %(num)s hop", "up to %(num)s hops", Number(hopsInput.value));
    }

    cy.on("tap", "node", (evt) => select(evt.target));
    cy.on("tap", (evt) => { if (evt.target === cy) select(null); });
    cy.on("dbltap", "node", (evt) => {
      const n = evt.target;
      if (n.data("person")) openUp(n.id());
      else if (n.hasClass("record")) closeUp(n.data("person_of"));
      else expand(n.id());
    });
    card.querySelector("[data-expand]").addEventListener("click", () => expand(card.querySelector("#expand-node").value));
    card.querySelector("[data-paths]").addEventListener("click", findPaths);
    card.querySelector("[data-fit]").addEventListener("click", fit);
    card.querySelector("[data-relayout]").addEventListener("click", () => layout(false));
    hopsInput.addEventListener("input", showHops);
    card.querySelectorAll('input[name="relation"]').forEach((i) => i.addEventListener("change", () => layout(false)));
    panel.querySelector("[data-details-expand]").addEventListener("click", () => expand(panel.dataset.node));
    panel.querySelector("[data-open-up]").addEventListener("click", () => openUp(panel.dataset.node));
    panel.querySelector("[data-close-up]").addEventListener("click", () => closeUp(cy.getElementById(panel.dataset.node).data("person_of")));
    panel.querySelector("[data-paths-from]").addEventListener("click", () => {
      card.querySelector("#path-a").value = panel.dataset.node;
      const b = card.querySelector("#path-b");
      if (b.value === panel.dataset.node) b.selectedIndex = b.selectedIndex ? 0 : 1;
      b.focus();
      status.textContent = T.t("Paths from %(name)s: choose where to, then press “Find paths”.", { name: cy.getElementById(panel.dataset.node).data("label") });
    });
    panel.querySelector("[data-annotation]").addEventListener("input", (evt) => {
      const id = panel.dataset.node;
      if (evt.target.value.trim()) state.annotations[id] = evt.target.value; else delete state.annotations[id];
      markAnnotated();
    });
    panel.querySelector("[data-details-close]").addEventListener("click", () => select(null));
    card.querySelector("[data-chart-save]").addEventListener("submit", saveChart);
    card.querySelector("[data-chart-open]").addEventListener("click", openChart);
    card.querySelector("[data-range-clear]").addEventListener("click", () =>
      document.dispatchEvent(new CustomEvent("tahqiq:timerange", { detail: { from: null, to: null, source: "graph" } })));
    showHops();
    listCharts();

    (async () => {
      status.textContent = T.t("Reading the case's subjects and what links them…");
      try {
        add(await T.api(`${base}/graph/start` + T.query({ purpose })));
        layout(true);
        const people = cy.nodes("[?person]").length;
        status.textContent = T.t("%(nodes)s nodes, %(links)s links. Click a node for its details; double-click a person to see their records.",
          { nodes: cy.nodes().length, links: cy.edges().length }) + (people ? " " + T.nt("%(num)s person is drawn from several records.", "%(num)s people are drawn from several records.", people) : "");
      } catch (err) {
        status.textContent = T.t("Could not read the chart: %(reason)s", { reason: err.message });
      }
      card.dataset.ready = "1";
    })();
  }

  document.addEventListener("DOMContentLoaded", () => document.querySelectorAll("[data-graph]").forEach(init));
})();
