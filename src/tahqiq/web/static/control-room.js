/* Control room: the alert list, kept live by server-sent events, with lifecycle buttons. Cards are
   built with DOM calls only (never innerHTML), since alert titles and evidence come from records. */
(function () {
  "use strict";
  const T = window.Tahqiq;
  const CLOSED = new Set(["closed"]);

  /* A nested value inside a table cell, compactly: "camera: Wazirabad / GT Road · plate: LEE-5781". */
  function cell(v) {
    if (v === null || v === undefined) return "";
    if (Array.isArray(v)) return v.length ? T.bidi(v.map((x) => (typeof x === "object" ? JSON.stringify(x) : x)).join(", ")) : "";
    if (typeof v === "object") {
      const span = T.el("span", { class: "small" });
      Object.entries(v).forEach(([k, x], i) => span.append(i ? " · " : "", T.el("strong", {}, k + ": "), T.bidi(typeof x === "object" ? JSON.stringify(x) : x)));
      return span;
    }
    return T.bidi(v);
  }

  function evidenceView(value, depth) {
    depth = depth || 0;
    if (value === null || value === undefined) return document.createTextNode("");
    if (Array.isArray(value)) {
      if (value.length && typeof value[0] === "object" && value[0] !== null && !Array.isArray(value[0])) {
        const keys = [...new Set(value.flatMap((v) => Object.keys(v)))].slice(0, 8);
        return T.el("table", { class: "small" },
          T.el("thead", {}, T.el("tr", {}, ...keys.map((k) => T.el("th", {}, k)))),
          T.el("tbody", {}, ...value.slice(0, 50).map((row) => T.el("tr", {}, ...keys.map((k) => T.el("td", {}, cell(row[k])))))));
      }
      return T.el("span", {}, ...value.map((v, i) => [i ? ", " : "", T.bidi(typeof v === "object" ? JSON.stringify(v) : v)]).flat());
    }
    if (typeof value === "object" && depth < 3) {
      const present = Object.entries(value).filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && !v.length));
      return T.el("dl", { class: "small", style: "margin:.2rem 0" }, ...present.flatMap(([k, v]) =>
        [T.el("dt", { style: "font-weight:600" }, k), T.el("dd", { style: "margin-inline-start:1rem" }, evidenceView(v, depth + 1))]));
    }
    return T.bidi(typeof value === "object" ? JSON.stringify(value) : value);
  }

  function init(box) {
    const list = box.querySelector("[data-alerts]");
    const errorBox = box.querySelector("[data-error]");
    const live = box.querySelector("[data-live]");
    const openOnly = box.querySelector("[data-open-only]");
    const actions = JSON.parse(box.dataset.actions || "[]");
    const transitions = JSON.parse(box.dataset.transitions || "{}");  // action -> statuses it may follow
    const cards = new Map();

    function showError(message) { errorBox.textContent = message; errorBox.hidden = !message; }

    function render(alert, fresh) {
      const id = String(alert.id);
      const status = alert.status || "new";
      const card = T.el("article", { class: "alert-card" + (fresh ? " fresh" : ""), "data-alert": id, "data-status": status,
        "aria-labelledby": "alert-" + id });
      card._alert = alert;
      card.append(
        T.el("div", { style: "display:flex; gap:.6rem; align-items:baseline; flex-wrap:wrap" },
          T.el("strong", { id: "alert-" + id }, "#" + id + " "), T.bidi(alert.title || alert.rule_id),
          T.el("span", { class: "badge " + status, "data-testid": "alert-status" }, status.replace("_", " ")),
          alert.severity ? T.el("span", { class: "badge" }, alert.severity) : null,
          T.el("span", { class: "small muted" }, [alert.district, T.when(alert.occurred_at || alert.created_at), alert.rule_id].filter(Boolean).join(" · "))),
      );
      if (alert.case_ref || alert.case) {
        const ref = alert.case_ref || alert.case;
        card.append(T.el("div", { class: "small" }, "Case: ", T.el("a", { href: "/cases/" + encodeURIComponent(ref) }, ref)));
      }
      const buttons = T.el("div", { class: "actions" });
      for (const [action, label] of actions) {
        const disabled = !(transitions[action] || []).includes(status);
        buttons.append(T.el("button", { type: "button", class: action === "false_positive" ? "danger" : "secondary",
          "data-action": action, disabled, onclick: () => act(id, action, card) }, label));
      }
      card.append(buttons);
      if (alert.evidence && Object.keys(alert.evidence).length) {
        card.append(T.el("details", {}, T.el("summary", { class: "small" }, "Evidence behind this alert"), evidenceView(alert.evidence)));
      }
      const old = cards.get(id);
      if (old) old.replaceWith(card); else list.prepend(card);
      cards.set(id, card);
      card.hidden = openOnly.checked && CLOSED.has(status) && !fresh;
      const empty = list.querySelector("[data-empty]");
      if (empty) empty.remove();
    }

    async function act(id, action, card) {
      showError("");
      card.querySelectorAll("button").forEach((b) => (b.disabled = true));
      try {
        const updated = await T.api(`/api/alerts/${encodeURIComponent(id)}/${action}`, {
          method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({}) });
        render(updated && updated.id !== undefined ? updated : Object.assign({}, card._alert, { id }), false);
        const now = cards.get(String(id));
        now.hidden = false;  // keep the card the operator just acted on in view
      } catch (err) {
        showError(`Alert #${id}: ${action.replace("_", " ")} refused: ${err.message}`);
        card.querySelectorAll("button").forEach((b) => (b.disabled = false));
      }
    }

    async function load() {
      try {
        const data = await T.api("/api/alerts" + T.query({ limit: 200, newest_first: true }));
        const alerts = Array.isArray(data) ? data : data.alerts || [];
        alerts.slice().reverse().forEach((a) => render(a, false));
      } catch (err) {
        showError("Could not load alerts: " + err.message);
      }
    }

    function connect() {
      const source = new EventSource("/api/alerts/stream");
      source.addEventListener("open", () => { live.classList.add("on"); live.querySelector("[data-live-text]").textContent = "live"; });
      source.addEventListener("alert", (evt) => {
        try { render(JSON.parse(evt.data), true); } catch (err) { showError("Unreadable alert event: " + err.message); }
      });
      source.addEventListener("error", () => {
        // EventSource reconnects by itself; say so rather than fail silently.
        live.classList.remove("on");
        live.querySelector("[data-live-text]").textContent = "reconnecting…";
      });
      window.tahqiqAlerts = source;
    }

    openOnly.addEventListener("change", () => cards.forEach((c) => (c.hidden = openOnly.checked && CLOSED.has(c.dataset.status))));
    load().then(connect);
    box.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", () => document.querySelectorAll("[data-control-room]").forEach(init));
})();
