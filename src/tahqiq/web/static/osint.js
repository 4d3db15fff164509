/* The event trends map (templates/osint.html): district totals as circles sized by their number of
   events, on the offline basemap the case map uses (tiles from /tiles/{z}/{x}/{y} as
   /api/map/tiles.json describes them, province outlines from /api/map/provinces.geojson). The
   totals come from the page itself (#osint-points, a JSON block): no personal data, no other fetch. */
(function () {
  "use strict";
  const T = window.Tahqiq;

  function radius(n, max) { return 5 + 25 * Math.sqrt(n / Math.max(1, max)); }

  function tip(p) {
    const box = T.el("div", { class: "osint-tip" }, T.el("strong", {}, T.bidi(p.label)), T.el("br"),
      T.nt("%(num)s event", "%(num)s events", p.events), T.el("br"),
      T.nt("%(num)s fatality", "%(num)s fatalities", p.fatalities));
    if (!p.centre) box.append(T.el("br"), T.el("span", { class: "muted" }, T.t("placed at its events' mean position")));
    return box;
  }

  async function start(card) {
    const status = card.querySelector("[data-map-status]");
    if (!window.L) { status.textContent = T.t("The map library did not load (run `make assets`)."); return; }
    const points = JSON.parse(card.querySelector("#osint-points").textContent || "[]");
    const { map, ready } = T.offlineMap(card.querySelector("[data-map-canvas]"));
    window.tahqiqTrendMap = map;  // for tests and the console
    await ready;
    const max = Math.max(1, ...points.map((p) => p.events));
    const layer = L.featureGroup();
    for (const p of points) {
      const circle = L.circleMarker([p.lat, p.lon], {
        radius: radius(p.events, max), color: p.chosen ? "#111" : "#0b3d6b", weight: p.chosen ? 3 : 1,
        fillColor: "#0072B2", fillOpacity: p.chosen ? 0.75 : 0.45, district: p.district,
      });
      circle.bindTooltip(() => tip(p));
      circle.on("click", () => {
        const url = new URL(window.location.href);
        url.searchParams.set("district", p.district);
        url.searchParams.delete("page");
        window.location.assign(url.toString());
      });
      layer.addLayer(circle);
    }
    layer.addTo(map);
    if (points.length) map.fitBounds(layer.getBounds().pad(0.15), { maxZoom: 8, animate: false });
    L.control.scale({ imperial: false }).addTo(map);
    card.dataset.circles = String(points.length);
    status.textContent = points.length
      ? T.nt("%(num)s district on the map.", "%(num)s districts on the map.", points.length)
      : T.t("No district with events to show.");
    card.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", () => document.querySelectorAll("[data-osint-map]").forEach((card) => {
    start(card).catch((err) => {
      card.querySelector("[data-map-status]").textContent = T.t("The map could not start: %(reason)s", { reason: err.message });
    });
  }));
})();
