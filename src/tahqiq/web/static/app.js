/* Helpers shared by Tahqiq's pages. No framework: htmx handles forms, these few functions handle
   the JSON API (same-origin, session cookie, CSRF header on writes) and Urdu-aware text. */
(function () {
  "use strict";
  const ARABIC = /[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]/;

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  /* fetch() against our own API; throws an Error carrying the server's reason on failure, so a
     refusal by the gate reaches the user as the gate worded it. */
  async function api(url, options) {
    const opts = Object.assign({ credentials: "same-origin", headers: {} }, options || {});
    const method = (opts.method || "GET").toUpperCase();
    if (method !== "GET" && method !== "HEAD") opts.headers["X-CSRF-Token"] = csrfToken();
    opts.headers["Accept"] = "application/json";
    const res = await fetch(url, opts);
    if (res.status === 401) {
      window.location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
      throw new Error(t("You are signed out."));
    }
    const body = res.headers.get("content-type")?.includes("json") ? await res.json() : await res.text();
    if (!res.ok) {
      const reason = body && body.detail ? (typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail)) : res.statusText;
      const err = new Error(reason);
      err.status = res.status;
      throw err;
    }
    return body;
  }

  /* Build a query string, leaving out empty values (an empty purpose means "the case's own"). */
  function query(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (Array.isArray(v)) v.forEach((x) => q.append(k, x));
      else if (v !== undefined && v !== null && v !== "") q.append(k, v);
    }
    const s = q.toString();
    return s ? "?" + s : "";
  }

  function isUrdu(text) { return ARABIC.test(text || ""); }

  /* The interface text in the reader's language: `t("Verified")`, or with named values
     `t("%(n)s alerts", {n: 3})`. Messages come from /i18n/<lang>.js (the same catalogue as the pages;
     `make messages` extracts every `Tahqiq.t("...")` and `Tahqiq.nt("...", "...", n)` call, so the
     message must be a literal string, a whole sentence with named placeholders). */
  function fill(text, values) {
    if (!values) return text;
    return text.replace(/%\((\w+)\)s/g, (m, k) => (k in values ? String(values[k]) : m));
  }
  function t(message, values) {
    const catalog = window.TAHQIQ_MESSAGES || {};
    const found = catalog[message];
    return fill(typeof found === "string" && found ? found : message, values);
  }

  /* A message with a number: `nt("%(num)s record", "%(num)s records", n)`; `num` is filled in with n.
     English and Urdu both have two forms (one / other), so the form is chosen by n === 1. */
  function nt(singular, plural, n, values) {
    const catalog = window.TAHQIQ_MESSAGES || {};
    const forms = catalog[singular];
    const index = Number(n) === 1 ? 0 : 1;
    const text = Array.isArray(forms) && forms[index] ? forms[index] : (index === 0 ? singular : plural);
    return fill(text, Object.assign({ num: n }, values || {}));
  }

  /* A time as people read it, in the deployment's zone with its name: "2026-11-29 14:10 PKT".
     Accepts ISO strings (with offset or Z) and epoch seconds. */
  const ZONE = document.querySelector('meta[name="timezone"]');
  const ZONE_NAME = (ZONE && ZONE.content) || "Asia/Karachi";
  const ZONE_LABEL = (ZONE && ZONE.dataset.label) || ZONE_NAME;
  const TIME_FORMAT = new Intl.DateTimeFormat("en-CA", {
    timeZone: ZONE_NAME, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  function time(value, withZone) {
    if (value === null || value === undefined || value === "") return "";
    const d = typeof value === "number" ? new Date(value * 1000) : new Date(value);
    if (isNaN(d.getTime())) return String(value);
    const p = Object.fromEntries(TIME_FORMAT.formatToParts(d).map((x) => [x.type, x.value]));
    const text = `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
    if (withZone === false) return text;
    // Inside an Urdu line the date, time and zone keep their order only when isolated (U+2066..U+2069,
    // invisible); English pages get the plain text.
    return isRtl() ? "\u2066" + text + " " + ZONE_LABEL + "\u2069" : text + " " + ZONE_LABEL;
  }

  /* A text node wrapped so that Urdu renders right-to-left in Nastaliq and cannot reorder the
     surrounding Latin text. Always builds DOM nodes (never innerHTML) so values cannot inject markup. */
  function bidi(text) {
    const el = document.createElement("bdi");
    el.textContent = text == null ? "" : String(text);
    if (isUrdu(el.textContent)) { el.lang = "ur"; el.dir = "rtl"; } else { el.dir = "auto"; }
    return el;
  }

  /* An identifier (CNIC, phone, plate, IBAN) that must stay left to right inside an Urdu line:
     the script twin of the `ident` template filter. */
  function ident(text) {
    const el = document.createElement("bdi");
    el.dir = "ltr";
    el.className = "ident";
    el.textContent = text == null ? "" : String(text);
    return el;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c != null) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }

  function when(value) { return value ? time(value) : t("time unknown"); }

  /* The reader's interface language and direction, as the server rendered the page. */
  function lang() { return document.documentElement.lang || "en"; }
  function isRtl() { return document.documentElement.dir === "rtl"; }

  /* A Leaflet map of Punjab on the offline basemap (the shipped low zooms, enlarged above them) with
     the province outlines: the shared start of the pages' maps (event trends, forecasts). Returns the
     map at once; `ready` settles when the tiles' description and the outlines have loaded. */
  const PUNJAB_APPROX = [[27.7, 69.3], [34.0, 75.4]];
  const BASEMAP_MAX_ZOOM = 6;
  function offlineMap(canvas) {
    const map = L.map(canvas, { minZoom: 4, maxZoom: 12, zoomSnap: 0.5 });
    map.fitBounds(PUNJAB_APPROX);
    const ready = Promise.allSettled([api("/api/map/tiles.json"), api("/api/map/provinces.geojson")]).then(([tiles, provinces]) => {
      const info = tiles.status === "fulfilled" ? tiles.value : null;
      const maxZoom = (info && info.viewer_maxzoom) || 12;
      map.setMaxZoom(maxZoom);
      L.tileLayer("/tiles/{z}/{x}/{y}", {
        maxNativeZoom: (info && info.basemap && info.basemap.maxzoom) || BASEMAP_MAX_ZOOM, maxZoom,
        attribution: ((info && info.attribution) || "Tiles © OpenStreetMap contributors (ODbL)") + " · Provinces: Natural Earth",
      }).addTo(map);
      if (provinces.status === "fulfilled") {
        L.geoJSON(provinces.value, {
          style: (f) => ({ color: "#0d4d3a", weight: f.properties.code === "PK-PB" ? 2.5 : 1, fillOpacity: 0.03 }),
          onEachFeature: (f, l) => l.bindTooltip(t(f.properties.name)),
        }).addTo(map);
      }
      return map;
    });
    return { map, ready };
  }

  window.Tahqiq = { api, query, csrfToken, isUrdu, bidi, ident, el, when, time, t, nt, lang, isRtl, offlineMap };

  /* htmx swaps only 2xx answers by default; our fragments answer 422 with the reason inside, so
     swap those too. A refusal (403) or other failure is shown as an alert instead of vanishing. */
  document.addEventListener("DOMContentLoaded", () => {
    if (!window.htmx) return;
    htmx.config.allowEval = false;  // the CSP forbids it anyway; fail loudly in development
    htmx.config.responseHandling = [
      { code: "204", swap: false }, { code: "[23]..", swap: true }, { code: "422", swap: true },
      { code: "[45]..", swap: false, error: true },
    ];
    // The CSP forbids eval, so no hx-on attributes: forms marked data-reset-on-success clear here.
    document.body.addEventListener("htmx:afterRequest", (evt) => {
      const form = evt.detail.elt;
      if (evt.detail.successful && form.matches && form.matches("form[data-reset-on-success]")) form.reset();
    });
    document.body.addEventListener("htmx:responseError", (evt) => {
      const xhr = evt.detail.xhr;
      let reason = xhr.statusText;
      // The denial page's reason holds markup (names and identifiers isolated in <bdi>): read its text.
      const denial = (xhr.getResponseHeader("content-type") || "").includes("html")
        ? new DOMParser().parseFromString(xhr.responseText || "", "text/html").querySelector('[data-testid="denial-reason"]')
        : null;
      if (denial) reason = denial.textContent.trim();
      else { try { reason = JSON.parse(xhr.responseText).detail || reason; } catch (e) { /* not JSON */ } }
      window.alert(t("Refused (%(status)s): %(reason)s", { status: xhr.status, reason: reason }));
    });
  });
})();
