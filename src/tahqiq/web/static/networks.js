// The subgraph of a transaction-network alert: its accounts as nodes, its transfers as arrows
// labelled with the amount in PKR (the data block #subgraph-data, written by the server).
(function () {
  "use strict";
  function draw() {
    const box = document.getElementById("subgraph");
    const data = document.getElementById("subgraph-data");
    if (!box || !data || typeof cytoscape !== "function") return;
    const rtl = window.Tahqiq && Tahqiq.isRtl();
    // Canvas text takes the page's direction: isolate account labels so an IBAN is not mirrored.
    const iso = (s) => (rtl ? "\u2066" + s + "\u2069" : s);
    const elements = JSON.parse(data.textContent).map((e) => {
      const d = Object.assign({}, e.data);
      if (d.label) d.label = iso(d.label);
      return { data: d };
    });
    const cy = cytoscape({
      container: box, elements, wheelSensitivity: 0.3, minZoom: 0.3, maxZoom: 1.3,
      style: [
        { selector: "node", style: { "background-color": "#1c3f85", label: "data(label)", "font-size": 11,
            "text-valign": "bottom", "text-margin-y": 4, color: "#1d2430", "text-background-color": "#fbfcfd",
            "text-background-opacity": 0.85, "text-background-padding": 1, width: 20, height: 20 } },
        { selector: "node[?centre]", style: { "background-color": "#b5651d", width: 30, height: 30, "font-weight": "bold" } },
        { selector: "edge", style: { width: 1.5, "line-color": "#9aa5b5", "curve-style": "bezier", label: "data(label)",
            "font-size": 9, color: "#4a5466", "text-rotation": "autorotate", "text-background-color": "#fbfcfd",
            "text-background-opacity": 0.9, "target-arrow-shape": "triangle", "target-arrow-color": "#9aa5b5" } },
      ],
      layout: { name: "cose", animate: false, padding: 20, nodeRepulsion: () => 9000, idealEdgeLength: () => 110 },
    });
    box.dataset.nodes = String(cy.nodes().length);
    box.dataset.edges = String(cy.edges().length);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
