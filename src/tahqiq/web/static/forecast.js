/* One forecast's map layer (templates/forecast.html): its top cells as squares of the forecast's cell
   size, coloured by expected incidents, on the offline basemap the other maps use (tiles from
   /tiles/{z}/{x}/{y} as /api/map/tiles.json describes them, province outlines from
   /api/map/provinces.geojson). The cells come from the page itself (#forecast-cells): places and
   numbers only, no other fetch. */
(function () {
  "use strict";
  const T = window.Tahqiq;
  // Light to dark (ColorBrewer YlOrRd, 5 classes): rank quintiles of the cells shown.
  const COLOURS = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"];

  function square(c, metres) {
    const dLat = metres / 2 / 111320;
    const dLon = metres / 2 / (111320 * Math.cos(c.lat * Math.PI / 180));
    return [[c.lat - dLat, c.lon - dLon], [c.lat + dLat, c.lon + dLon]];
  }

  function tip(c) {
    const box = T.el("div", { class: "fc-tip" }, T.el("strong", {}, T.t("Rank %(rank)s", { rank: c.rank })), T.el("br"),
      T.t("Expected incidents: %(n)s", { n: c.expected.toFixed(2) }));
    if (c.district) box.append(T.el("br"), T.bidi(c.district));
    return box;
  }

  async function start(card) {
    const status = card.querySelector("[data-map-status]");
    if (!window.L) { status.textContent = T.t("The map library did not load (run `make assets`)."); return; }
    const cells = JSON.parse(card.querySelector("#forecast-cells").textContent || "[]");
    const metres = Number(card.dataset.cell) || 250;
    const { map, ready } = T.offlineMap(card.querySelector("[data-map-canvas]"));
    window.tahqiqForecastMap = map;  // for tests and the console
    await ready;
    const layer = L.featureGroup();
    const n = cells.length;
    cells.forEach((c, i) => {
      const colour = COLOURS[COLOURS.length - 1 - Math.min(COLOURS.length - 1, Math.floor(i * COLOURS.length / Math.max(1, n)))];
      const rect = L.rectangle(square(c, metres), { color: "#7a0019", weight: 0.5, fillColor: colour, fillOpacity: 0.7 });
      rect.bindTooltip(() => tip(c));
      layer.addLayer(rect);
    });
    layer.addTo(map);
    if (n) map.fitBounds(layer.getBounds().pad(0.1), { maxZoom: 13, animate: false });
    L.control.scale({ imperial: false }).addTo(map);
    card.dataset.cells = String(n);
    status.textContent = n ? T.nt("%(num)s cell on the map.", "%(num)s cells on the map.", n) : T.t("No cell to show.");
    card.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", () => document.querySelectorAll("[data-forecast-map]").forEach((card) => {
    start(card).catch((err) => {
      card.querySelector("[data-map-status]").textContent = T.t("The map could not start: %(reason)s", { reason: err.message });
    });
  }));
})();
