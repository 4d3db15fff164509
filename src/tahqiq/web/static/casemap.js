/* The offline map (Leaflet): basemap tiles, province outlines and Punjab's district/tehsil centres
   from Tahqiq's own /api/map/ routes (no tile server is reachable), and the case's events with
   coordinates from the gated /api/cases/{ref}/places. */
(function () {
  "use strict";
  const T = window.Tahqiq;
  const PUNJAB = [[27.7, 69.3], [34.0, 75.4]];

  async function init(card) {
    const status = card.querySelector("[data-map-status]");
    if (!window.L) { status.textContent = "The map library did not load (run `make assets`)."; return; }
    const map = L.map(card.querySelector("#map"), { minZoom: 4, maxZoom: 12 });
    window.tahqiqMap = map;
    map.fitBounds(PUNJAB);
    // The MBTiles file holds zoom 0-6; above that Leaflet scales the level-6 tiles.
    L.tileLayer("/api/map/tiles/{z}/{x}/{y}.png", {
      maxNativeZoom: 6, maxZoom: 12,
      attribution: "Tiles © OpenStreetMap contributors (ODbL) · Provinces: Natural Earth · Places: GeoNames, pk-address-checker",
    }).addTo(map);
    const layers = {};
    try {
      const provinces = await T.api("/api/map/provinces.geojson");
      layers.Provinces = L.geoJSON(provinces, { style: { color: "#0d4d3a", weight: 1.5, fillOpacity: 0.03 },
        onEachFeature: (f, l) => l.bindTooltip(f.properties.name) }).addTo(map);
      const places = await T.api("/api/map/places.geojson");
      layers["District centres"] = L.geoJSON(places, {
        filter: (f) => f.properties.kind === "district",
        pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 3, color: "#5b6576", weight: 1, fillOpacity: 0.6 }),
        onEachFeature: (f, l) => l.bindTooltip(f.properties.urdu ? `${f.properties.name} · ${f.properties.urdu}` : f.properties.name),
      }).addTo(map);
    } catch (err) {
      status.textContent = "Base layers unavailable: " + err.message;
    }
    try {
      const ref = card.dataset.case;
      const events = await T.api(`/api/cases/${encodeURIComponent(ref)}/places` + T.query({ purpose: card.dataset.purpose }));
      const layer = L.geoJSON(events, {
        pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 7, color: "#a4262c", weight: 2, fillColor: "#e74c3c", fillOpacity: 0.8, className: "event-marker" }),
        onEachFeature: (f, l) => {
          const p = f.properties;
          const box = T.el("div", {}, T.el("strong", {}, p.kind_label || p.kind), T.el("br"), T.bidi(p.label), T.el("br"),
            T.when(p.time), p.place ? " · " : "", T.bidi(p.place || ""), T.el("br"),
            T.el("a", { href: `/cases/${encodeURIComponent(ref)}/entities/${p.id || f.id}` }, "open"));
          l.bindPopup(box);
        },
      }).addTo(map);
      layers["Case events"] = layer;
      const n = events.features.length;
      card.dataset.events = String(n);
      if (n) map.fitBounds(layer.getBounds().pad(0.3), { maxZoom: 9 });
      status.textContent = n ? `${n} event${n === 1 ? "" : "s"} with coordinates.` : "None of this case's events has coordinates.";
    } catch (err) {
      status.textContent = "Could not load the case's events: " + err.message;
    }
    L.control.layers(null, layers, { collapsed: true }).addTo(map);
    card.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", () => document.querySelectorAll("[data-map]").forEach(init));
})();
