/* The case map (Leaflet + leaflet.markercluster), drawn from Tahqiq's own routes only (no tile server
   is reachable): tiles from /tiles/{z}/{x}/{y} as /api/map/tiles.json describes them (the deployment's
   street-zoom archive above the shipped zoom 0-6 basemap), province outlines and Punjab's district
   centres from /api/map/, and the case's events from the gated /api/cases/{ref}/map.

   It opens on Punjab, colours markers by kind of event (legend = toggles), clusters them, and says how
   many events have no place. Brushing with the graph and the timeline, on `document`:
     listens   tahqiq:select     {ids: [entity ids]}           highlight their events ([] clears)
               tahqiq:timerange  {from: ISO|null, to: ISO|null} show only events within
     sends     tahqiq:select     {ids: [event id], source: "map"}  when a marker is clicked */
(function () {
  "use strict";
  if (window.TahqiqCaseMap) return;  // included twice: one map per page is enough
  const T = window.Tahqiq;
  // Okabe-Ito colours (told apart with the common colour-vision deficiencies), given to the kinds in
  // the model's order (the API lists them so), so a kind has the same colour in every case.
  const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#8C564B", "#333333"];
  const PUNJAB_APPROX = [[27.7, 69.3], [34.0, 75.4]];  // until the province outline has loaded
  const BASEMAP_MAX_ZOOM = 6;

  function announce(ids) {  // the brushing contract's event (see the top of this file)
    document.dispatchEvent(new CustomEvent("tahqiq:select", { detail: { ids, source: "map" } }));
  }

  const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]);

  function part(card, selector, make) {
    // The partial (templates/partials/map.html) has these; an older workspace page may not.
    let node = card.querySelector(selector);
    if (!node) { node = make(); card.append(node); }
    return node;
  }

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const s = T.el("script", { src });
      s.onload = resolve; s.onerror = () => reject(new Error(src));
      document.head.append(s);
    });
  }

  async function ensureAssets() {
    for (const href of ["/static/vendor/markercluster/MarkerCluster.css", "/static/map.css"]) {
      if (!document.querySelector(`link[href="${href}"]`)) document.head.append(T.el("link", { rel: "stylesheet", href }));
    }
    if (!L.markerClusterGroup) await loadScript("/static/vendor/markercluster/leaflet.markercluster.js");
  }

  class CaseMap {
    constructor(card) {
      this.card = card;
      this.ref = card.dataset.case;
      this.purpose = card.dataset.purpose || "";
      this.canvas = card.querySelector("[data-map-canvas]") || card.querySelector("#map");
      this.status = part(card, "[data-map-status]", () => T.el("p", { class: "small muted", "data-map-status": "" }));
      this.unplaced = part(card, "[data-map-unplaced]", () => T.el("p", { class: "casemap-unplaced", "data-map-unplaced": "" }));
      this.legend = part(card, "[data-map-legend]", () => T.el("div", { class: "casemap-legend", "data-map-legend": "" }));
      this.clearButton = card.querySelector("[data-map-clear]");
      this.markers = [];          // {marker, id, kind, ids: Set, time: ms|null}
      this.kinds = [];            // from the API: {kind, label, events, placed}
      this.hidden = new Set();    // kinds switched off in the legend
      this.selection = null;      // Set of entity ids, or null
      this.range = null;          // {from: ms|null, to: ms|null}, or null
      this.icons = new Map();
      this.shown = new Set();     // markers in the cluster group now
      this.punjab = L.latLngBounds(PUNJAB_APPROX);
    }

    colour(kind) {
      const i = this.kinds.findIndex((k) => k.kind === kind);
      return PALETTE[(i < 0 ? this.kinds.length : i) % PALETTE.length];
    }

    icon(kind, state) {
      const key = kind + "|" + state;
      if (!this.icons.has(key)) {
        this.icons.set(key, L.divIcon({
          className: `event-marker event-marker--${state}`, iconSize: state === "selected" ? [22, 22] : [16, 16],
          html: `<span style="background:${this.colour(kind)}"></span>`,
        }));
      }
      return this.icons.get(key);
    }

    clusterIcon(cluster) {
      // A ring of the kinds inside (a pie of the colours), the count in the middle.
      const children = cluster.getAllChildMarkers();
      const counts = new Map();
      let selected = 0;
      for (const m of children) {
        counts.set(m.options.kind, (counts.get(m.options.kind) || 0) + 1);
        if (m.options.state === "selected") selected += 1;
      }
      const n = children.length;
      let acc = 0;
      const stops = this.kinds.filter((k) => counts.has(k.kind)).map((k) => {
        const from = (acc / n) * 360; acc += counts.get(k.kind);
        return `${this.colour(k.kind)} ${from.toFixed(1)}deg ${((acc / n) * 360).toFixed(1)}deg`;
      });
      const state = this.selection ? (selected ? "selected" : "dimmed") : "normal";
      const size = n < 10 ? 34 : n < 100 ? 40 : 46;
      const title = selected
        ? T.t("%(n)s events here, %(selected)s of them selected: click to zoom in", { n, selected })
        : T.t("%(n)s events here: click to zoom in", { n });
      return L.divIcon({
        className: `event-cluster event-cluster--${state}`, iconSize: [size, size],
        html: `<span class="event-cluster-ring" style="background:conic-gradient(${stops.join(",")})" title="${esc(title)}">` +
              `<b>${n}</b></span>`,
      });
    }

    async start() {
      if (!window.L) { this.status.textContent = T.t("The map library did not load (run `make assets`)."); return; }
      await ensureAssets();
      const map = L.map(this.canvas, { minZoom: 4, maxZoom: 12, zoomSnap: 0.5 });
      this.map = map;
      window.tahqiqMap = map;  // for tests and the console
      map.fitBounds(this.punjab);
      const [tiles, provinces, places, events] = await Promise.allSettled([
        T.api("/api/map/tiles.json"), T.api("/api/map/provinces.geojson"), T.api("/api/map/places.geojson"),
        T.api(`/api/cases/${encodeURIComponent(this.ref)}/map` + T.query({ purpose: this.purpose })),
      ]);
      this.addTiles(tiles.status === "fulfilled" ? tiles.value : null);
      const overlays = {};
      if (provinces.status === "fulfilled") overlays[T.t("Provinces")] = this.addProvinces(provinces.value);
      if (places.status === "fulfilled") overlays[T.t("District centres")] = this.addPlaces(places.value);
      map.fitBounds(this.punjab, { animate: false });
      if (events.status === "fulfilled") {
        overlays[T.t("Case events")] = this.addEvents(events.value);
      } else {
        this.status.textContent = T.t("Could not load the case's events: %(reason)s", { reason: events.reason.message });
      }
      L.control.layers(null, overlays, { collapsed: true }).addTo(map);
      L.control.scale({ imperial: false }).addTo(map);
      this.card.querySelectorAll("[data-map-fit]").forEach((b) => b.addEventListener("click", () => this.fit(b.dataset.mapFit)));
      if (this.clearButton) this.clearButton.addEventListener("click", () => announce([]));
      document.addEventListener("tahqiq:select", (e) => this.select((e.detail && e.detail.ids) || []));
      document.addEventListener("tahqiq:timerange", (e) => this.timerange(e.detail || {}));
      this.card.dataset.ready = "1";
    }

    addTiles(info) {
      const map = this.map;
      const baseMax = (info && info.basemap && info.basemap.maxzoom) || BASEMAP_MAX_ZOOM;
      const maxZoom = (info && info.viewer_maxzoom) || 12;
      map.setMaxZoom(maxZoom);
      const attribution = ((info && info.attribution) || "Tiles © OpenStreetMap contributors (ODbL)") +
        " · Provinces: Natural Earth · Places: GeoNames, pk-address-checker";
      // The shipped basemap (and an archive's low zooms) below; Leaflet enlarges its deepest level.
      L.tileLayer("/tiles/{z}/{x}/{y}", { maxNativeZoom: baseMax, maxZoom, attribution }).addTo(map);
      // Each street-zoom archive above it, only where it has tiles: elsewhere the enlarged basemap shows.
      for (const a of (info && info.archives) || []) {
        if (a.maxzoom <= baseMax) continue;
        const [w, s, e, n] = a.bounds;
        L.tileLayer("/tiles/{z}/{x}/{y}", {
          minZoom: Math.max(a.minzoom, baseMax + 1), maxNativeZoom: a.maxzoom, maxZoom,
          bounds: L.latLngBounds([[s, w], [n, e]]), className: "street-tiles",
        }).addTo(map);
      }
      this.card.dataset.maxZoom = String(maxZoom);
      if (info && info.problems && info.problems.length) console.warn("tile archives not used:", info.problems);
    }

    addProvinces(doc) {
      const layer = L.geoJSON(doc, {
        style: (f) => ({ color: "#0d4d3a", weight: f.properties.code === "PK-PB" ? 2.5 : 1, fillOpacity: 0.03 }),
        onEachFeature: (f, l) => {
          l.bindTooltip(T.t(f.properties.name));
          if (f.properties.code === "PK-PB") this.punjab = l.getBounds();
        },
      }).addTo(this.map);
      return layer;
    }

    addPlaces(doc) {
      return L.geoJSON(doc, {
        filter: (f) => f.properties.kind === "district",
        pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 3, color: "#5b6576", weight: 1, fillOpacity: 0.6, interactive: true }),
        onEachFeature: (f, l) => l.bindTooltip(f.properties.urdu ? `${f.properties.name} · ${f.properties.urdu}` : f.properties.name),
      }).addTo(this.map);
    }

    addEvents(doc) {
      this.kinds = doc.kinds || [];
      this.total = doc.total;
      this.cluster = L.markerClusterGroup({
        iconCreateFunction: (c) => this.clusterIcon(c), showCoverageOnHover: false, maxClusterRadius: 50,
        spiderfyOnMaxZoom: true,
      });
      for (const f of doc.features) {
        const p = f.properties;
        const [lon, lat] = f.geometry.coordinates;
        const caption = p.label || T.t(p.kind_label);
        const marker = L.marker([lat, lon], {
          icon: this.icon(p.kind, "normal"), kind: p.kind, state: "normal", keyboard: true,
          title: `${T.t(p.kind_label)}: ${caption}`, alt: caption,
        });
        marker.bindPopup(() => this.popup(p));
        marker.on("click", () => announce([p.id]));
        const time = p.time ? Date.parse(p.time) : NaN;
        this.markers.push({ marker, id: p.id, kind: p.kind, ids: new Set([p.id, ...(p.involves || [])]),
                            time: isNaN(time) ? null : time });
      }
      this.map.addLayer(this.cluster);
      this.card.dataset.events = String(doc.features.length);
      this.card.dataset.unplaced = String(doc.without_place);
      this.drawLegend();
      this.drawUnplaced(doc);
      this.apply();
      return this.cluster;
    }

    popup(p) {
      const href = `/cases/${encodeURIComponent(this.ref)}/entities/${encodeURIComponent(p.id)}` +
        T.query({ purpose: this.purpose });
      const box = T.el("div", { class: "event-popup" },
        T.el("strong", {}, T.t(p.kind_label)), T.el("br"),
        T.el("a", { href }, T.bidi(p.label || T.t(p.kind_label))), T.el("br"),
        T.el("span", { class: "event-popup-time" }, p.time ? T.time(p.time) : T.t("time unknown")));
      if (p.place) box.append(T.el("br"), T.bidi(p.place));
      return box;
    }

    drawLegend() {
      this.legend.replaceChildren();
      for (const k of this.kinds) {
        if (!k.events) continue;
        const box = T.el("input", { type: "checkbox", checked: true, "data-kind": k.kind, disabled: !k.placed });
        box.addEventListener("change", () => {
          if (box.checked) this.hidden.delete(k.kind); else this.hidden.add(k.kind);
          this.apply();
        });
        const swatch = T.el("i", { class: "casemap-swatch", "aria-hidden": "true", style: `background:${this.colour(k.kind)}` });
        const count = k.placed === k.events
          ? T.t("%(n)s on the map", { n: k.placed })
          : T.t("%(placed)s of %(n)s on the map", { placed: k.placed, n: k.events });
        this.legend.append(T.el("label", { class: "casemap-kind", "data-kind": k.kind }, box, swatch,
          T.el("span", {}, T.t(k.label)), T.el("span", { class: "muted" }, ` (${count})`)));
      }
      if (!this.legend.children.length) this.legend.append(T.el("span", { class: "muted" }, T.t("No events in this case yet.")));
    }

    drawUnplaced(doc) {
      const n = doc.without_place;
      const lines = [];
      if (n === 1) lines.push(T.t("1 event has no place on the map."));
      else if (n > 1) lines.push(T.t("%(n)s events have no place on the map.", { n }));
      else if (doc.total) lines.push(T.t("Every event of this case has a place on the map."));
      if (doc.total >= doc.limit) lines.push(T.t("Only the newest %(n)s events are read.", { n: doc.limit }));
      this.unplaced.textContent = lines.join(" ");
      this.unplaced.classList.toggle("casemap-unplaced--some", n > 0);
    }

    visible(m) {
      if (this.hidden.has(m.kind)) return false;
      if (!this.range) return true;
      if (m.time === null) return false;  // unknown time: cannot be said to fall in the range
      return (this.range.from === null || m.time >= this.range.from) && (this.range.to === null || m.time <= this.range.to);
    }

    apply() {
      let selected = 0;
      const shown = new Set();
      for (const m of this.markers) {
        const hit = this.selection && [...m.ids].some((id) => this.selection.has(id));
        const state = !this.selection ? "normal" : hit ? "selected" : "dimmed";
        if (m.marker.options.state !== state) {
          m.marker.options.state = state;
          m.marker.setIcon(this.icon(m.kind, state));
          m.marker.setZIndexOffset(state === "selected" ? 1000 : 0);
        }
        if (this.visible(m)) { shown.add(m.marker); if (hit) selected += 1; }
      }
      // Only what changed moves, and nothing when nothing did: the group's add and remove fold a
      // spiderfied cluster back, which would close the popup of the marker just clicked.
      const gone = [...this.shown].filter((mk) => !shown.has(mk));
      const added = [...shown].filter((mk) => !this.shown.has(mk));
      if (gone.length) this.cluster.removeLayers(gone);
      if (added.length) this.cluster.addLayers(added);
      this.shown = shown;
      this.cluster.refreshClusters();
      this.card.dataset.shown = String(shown.size);
      this.card.dataset.selected = String(selected);
      if (this.clearButton) this.clearButton.hidden = !this.selection;
      const parts = [T.t("%(shown)s of %(n)s events with a place are shown.", { shown: shown.size, n: this.markers.length })];
      if (this.range) {
        parts.push(T.t("Time range: %(from)s to %(to)s.", {
          from: this.range.from === null ? "…" : T.time(this.range.from / 1000),
          to: this.range.to === null ? "…" : T.time(this.range.to / 1000) }));
      }
      if (this.selection) parts.push(T.t("%(n)s of them involve the selection.", { n: selected }));
      this.status.textContent = parts.join(" ");
    }

    select(ids) {
      this.selection = ids && ids.length ? new Set(ids) : null;
      if (this.cluster) this.apply();
    }

    timerange(detail) {
      const from = detail.from ? Date.parse(detail.from) : NaN;
      const to = detail.to ? Date.parse(detail.to) : NaN;
      this.range = isNaN(from) && isNaN(to) ? null : { from: isNaN(from) ? null : from, to: isNaN(to) ? null : to };
      if (this.cluster) this.apply();
    }

    fit(what) {
      if (what === "events" && this.cluster && this.cluster.getLayers().length) {
        this.map.fitBounds(this.cluster.getBounds().pad(0.2), { maxZoom: 12 });
      } else {
        this.map.fitBounds(this.punjab);
      }
    }
  }

  window.TahqiqCaseMap = CaseMap;
  document.addEventListener("DOMContentLoaded", () => document.querySelectorAll("[data-map]").forEach((card) => {
    const m = new CaseMap(card);
    card.caseMap = m;
    m.start().catch((err) => { m.status.textContent = T.t("The map could not start: %(reason)s", { reason: err.message }); });
  }));
})();
