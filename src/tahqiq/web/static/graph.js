/* The case's link graph (cytoscape + fcose). Starts from the case's subjects; clicking a node (or
   choosing it and pressing "Expand", for keyboard users) adds its neighbours from the gated API.
   Relation checkboxes hide links of a type and restrict later expansions to the types left on. */
(function () {
  "use strict";
  const T = window.Tahqiq;
  const COLOURS = {
    Person: "#1c3f85", Phone: "#b5651d", Vehicle: "#6b4fa3", BankAccount: "#1f7a3a", Address: "#7d6b4f",
    IdentityDocument: "#3d7ea6", FirIncident: "#a4262c", Warrant: "#c2185b", Transaction: "#4c8c2b",
    CheckpointCheck: "#8a6d00", PlateRead: "#9c6f19", Complaint: "#b03a2e", OsintEvent: "#5d6d7e", Organization: "#117a65",
  };

  function init(card) {
    if (!window.cytoscape) { card.querySelector("[data-graph-status]").textContent = "The graph library did not load (run `make assets`)."; return; }
    if (window.cytoscapeFcose) cytoscape.use(window.cytoscapeFcose);
    const ref = card.dataset.case, purpose = card.dataset.purpose;
    const status = card.querySelector("[data-graph-status]");
    const expanded = new Set();
    const cy = cytoscape({
      container: card.querySelector("#graph"),
      elements: JSON.parse(card.dataset.subjects || "[]"),
      wheelSensitivity: 0.3,
      style: [
        { selector: "node", style: {
            "background-color": (n) => COLOURS[n.data("schema")] || "#777", label: "data(label)",
            "font-size": 10, "text-valign": "bottom", "text-margin-y": 3, "text-wrap": "ellipsis", "text-max-width": 120,
            width: 22, height: 22, color: "#1d2430" } },
        { selector: "node[?urdu]", style: { "font-family": "Noto Nastaliq Urdu, serif", "font-size": 12 } },
        { selector: "node[?is_event]", style: { shape: "round-rectangle" } },
        { selector: "node[?subject]", style: { "border-width": 4, "border-color": "#b5651d", width: 30, height: 30 } },
        { selector: "node.expanded", style: { "border-width": 2, "border-style": "double", "border-color": "#0d4d3a" } },
        { selector: "edge", style: {
            width: 1.5, "line-color": "#9aa5b5", "curve-style": "bezier", label: "data(label)", "font-size": 8,
            color: "#5b6576", "text-rotation": "autorotate", "target-arrow-shape": "triangle", "target-arrow-color": "#9aa5b5" } },
        { selector: "edge[relation ^= 'same_']", style: { "line-style": "dashed", "target-arrow-shape": "none" } },
        { selector: ".hidden", style: { display: "none" } },
        { selector: ".path", style: { "line-color": "#d35400", "target-arrow-color": "#d35400", width: 4, "border-color": "#d35400", "border-width": 4 } },
      ],
      layout: { name: "grid" },
    });
    cy.nodes().forEach((n) => n.data("urdu", T.isUrdu(n.data("label"))));
    window.tahqiqGraph = cy;  // for the browser tests and for analysts' own console work

    function checkedRelations() {
      return [...card.querySelectorAll('input[name="relation"]:checked')].map((i) => i.value);
    }
    function allRelations() { return [...card.querySelectorAll('input[name="relation"]')].map((i) => i.value); }

    function add(elements) {
      const fresh = [];
      for (const n of elements.nodes || []) {
        const d = n.data || n;
        if (cy.getElementById(d.id).nonempty()) { if (d.subject) cy.getElementById(d.id).data("subject", true); continue; }
        fresh.push({ group: "nodes", data: Object.assign({}, d, { urdu: T.isUrdu(d.label) }) });
      }
      cy.add(fresh);
      const edges = [];
      for (const e of elements.edges || []) {
        const d = e.data || e;
        if (cy.getElementById(d.id).empty() && cy.getElementById(d.source).nonempty() && cy.getElementById(d.target).nonempty()) {
          edges.push({ group: "edges", data: d });
        }
      }
      cy.add(edges);
      return fresh.length;
    }

    function relayout() {
      applyFilter();
      const visible = cy.elements().not(".hidden");
      const opts = window.cytoscapeFcose
        ? { name: "fcose", randomize: false, animate: false, nodeRepulsion: 6000, idealEdgeLength: 80, fit: true, padding: 20 }
        : { name: "cose", animate: false, fit: true, padding: 20 };
      visible.layout(opts).run();
      refreshSelects();
      legend();
    }

    function applyFilter() {
      const on = new Set(checkedRelations());
      cy.edges().forEach((e) => e.toggleClass("hidden", !on.has(e.data("relation"))));
      // A node reachable only through hidden links is hidden too; subjects and expanded nodes stay.
      cy.nodes().forEach((n) => {
        const keep = n.data("subject") || n.hasClass("expanded") || n.connectedEdges().not(".hidden").nonempty();
        n.toggleClass("hidden", !keep);
      });
    }

    async function expand(id) {
      const node = cy.getElementById(id);
      if (node.empty()) return;
      const rels = checkedRelations();
      status.textContent = "Reading the neighbours of " + (node.data("label") || id) + "…";
      try {
        const all = rels.length === allRelations().length;
        const data = await T.api(`/api/cases/${encodeURIComponent(ref)}/graph/neighbours` +
          T.query({ entity: id, relations: all ? "" : rels.join(","), purpose }));
        node.addClass("expanded");
        expanded.add(id);
        const added = add(data);
        // new nodes start next to the one they came from, so the layout only nudges them
        const p = node.position();
        cy.nodes().filter((n) => !n.data("_placed")).forEach((n, i) => {
          n.data("_placed", true);
          if (n.id() !== id && n.position().x === 0 && n.position().y === 0) n.position({ x: p.x + 40 * Math.cos(i), y: p.y + 40 * Math.sin(i) });
        });
        relayout();
        status.textContent = `${node.data("label")}: ${added} new neighbour${added === 1 ? "" : "s"} (${cy.nodes().length} nodes, ${cy.edges().length} links). Each expansion is an audited read.`;
        card.dataset.expansions = String(expanded.size);
      } catch (err) {
        status.textContent = "Could not expand: " + err.message;
      }
    }

    async function findPaths() {
      const a = card.querySelector("#path-a").value, b = card.querySelector("#path-b").value;
      if (!a || !b || a === b) { status.textContent = "Choose two different nodes to find paths between."; return; }
      cy.elements().removeClass("path");
      status.textContent = "Searching for paths…";
      try {
        const rels = checkedRelations();
        const data = await T.api(`/api/cases/${encodeURIComponent(ref)}/graph/paths` +
          T.query({ a, b, relations: rels.length === allRelations().length ? "" : rels.join(","), purpose }));
        add(data);
        relayout();
        for (const e of data.edges || []) cy.getElementById((e.data || e).id).addClass("path");
        for (const path of data.paths || []) path.forEach((id) => cy.getElementById(id).addClass("path"));
        const n = (data.paths || []).length;
        status.textContent = n ? `${n} shortest path${n === 1 ? "" : "s"} of ${data.paths[0].length - 1} link(s), highlighted.` : "No path within the hop limit.";
        card.dataset.paths = String(n);
      } catch (err) {
        status.textContent = "Could not search paths: " + err.message;
      }
    }

    function refreshSelects() {
      const nodes = cy.nodes().sort((x, y) => (y.data("subject") ? 1 : 0) - (x.data("subject") ? 1 : 0));
      for (const sel of card.querySelectorAll("[data-node-select]")) {
        const keep = sel.value;
        sel.replaceChildren(...nodes.map((n) => T.el("option", { value: n.id() },
          (n.data("subject") ? "★ " : "") + (n.data("label") || n.id()) + " · " + (n.data("schema_label") || n.data("schema") || ""))));
        if (keep && cy.getElementById(keep).nonempty()) sel.value = keep;
      }
      const sels = card.querySelectorAll("#path-a, #path-b");
      if (sels.length === 2 && sels[0].value === sels[1].value && nodes.length > 1) sels[1].value = nodes[1].id();
    }

    function legend() {
      const seen = [...new Set(cy.nodes().map((n) => n.data("schema")))].sort();
      card.querySelector("[data-legend]").replaceChildren(...seen.map((s) =>
        T.el("span", {}, T.el("i", { style: `background:${COLOURS[s] || "#777"}` }), s)));
    }

    cy.on("tap", "node", (evt) => expand(evt.target.id()));
    card.querySelector("[data-expand]").addEventListener("click", () => expand(card.querySelector("#expand-node").value));
    card.querySelector("[data-paths]").addEventListener("click", findPaths);
    card.querySelector("[data-fit]").addEventListener("click", () => cy.fit(undefined, 20));
    card.querySelectorAll('input[name="relation"]').forEach((i) => i.addEventListener("change", relayout));
    cy.nodes().forEach((n) => n.data("_placed", true));
    relayout();
    card.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", () => document.querySelectorAll("[data-graph]").forEach(init));
})();
