/* Control room, live: new alerts arrive over server-sent events (/api/alerts/stream, after the newest
   alert the page was drawn with). One that matches the operator's filters refreshes the list (page 1,
   when nobody is typing in it) or is counted in a "new alerts" banner; a new high or critical alert
   also gets a visual notice and a short beep (mute toggle, remembered; no motion when the reader asks
   for reduced motion). The alert page's small map of the camera or checkpoint is drawn here too. */
(function () {
  "use strict";
  const T = window.Tahqiq;
  const LOUD = new Set(["high", "critical"]);
  const MUTE_KEY = "tahqiq.control-room.muted";

  function matches(alert, filter) {
    if (filter.severity && filter.severity.length && !filter.severity.includes(alert.severity)) return false;
    if (filter.rule && alert.rule_id !== filter.rule) return false;
    if (filter.district && alert.district !== filter.district) return false;
    if (filter.case && alert.case_ref !== filter.case) return false;
    const st = filter.status || [];
    if (st.length && !(st.includes("open") ? alert.status !== "closed" : st.includes(alert.status))) return false;
    return true;
  }

  let audio = null;
  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const osc = audio.createOscillator(), gain = audio.createGain();
      osc.type = "sine"; osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.2, audio.currentTime + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.35);
      osc.connect(gain).connect(audio.destination);
      osc.start(); osc.stop(audio.currentTime + 0.4);
      document.body.dataset.beeps = String(Number(document.body.dataset.beeps || 0) + 1);  // for tests and kiosks
    } catch (err) { /* no audio device: the visual notice remains */ }
  }

  function init(box) {
    const filter = JSON.parse(box.dataset.filter || "{}");
    const live = document.querySelector("[data-live]");
    const liveText = live && live.querySelector("[data-live-text]");
    const notice = document.querySelector("[data-notice]");
    const noticeText = notice && notice.querySelector("[data-notice-text]");
    const noticeOpen = notice && notice.querySelector("[data-notice-open]");
    const mute = document.querySelector("[data-mute]");
    const reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    let after = Number(box.dataset.after || 0);
    let waiting = 0, timer = null, lastLoud = null;

    function setMuted(muted) {
      mute.setAttribute("aria-pressed", muted ? "true" : "false");
      mute.textContent = muted ? T.t("Sound off") : T.t("Sound on");
      try { localStorage.setItem(MUTE_KEY, muted ? "1" : ""); } catch (err) { /* private mode */ }
    }
    let muted = false;
    try { muted = localStorage.getItem(MUTE_KEY) === "1"; } catch (err) { /* private mode */ }
    if (mute) { setMuted(muted); mute.addEventListener("click", () => { muted = !muted; setMuted(muted); }); }

    function busy() {
      const list = box.querySelector("[data-alert-list]");
      if (!list) return false;
      const active = document.activeElement;
      if (active && list.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) return true;
      return [...list.querySelectorAll(".dispatch-form input, .dispatch-form textarea")].some((x) => x.value);
    }

    function refresh() {
      timer = null;
      if (busy()) { timer = setTimeout(refresh, 2000); return; }
      const list = box.querySelector("[data-alert-list]");
      window.htmx.ajax("GET", box.dataset.listUrl, { target: list, swap: "outerHTML" }).then(() => {
        box.dataset.refreshed = String(Number(box.dataset.refreshed || 0) + 1);
      });
    }

    function showNotice(alert) {
      if (!notice) return;
      lastLoud = alert;
      noticeText.textContent = T.t("New %(severity)s alert: %(title)s", { severity: alert.severity === "critical" ? T.t("Critical") : T.t("High"), title: alert.title });
      notice.hidden = false;
      notice.classList.remove("flash");
      if (!reduced) { void notice.offsetWidth; notice.classList.add("flash"); }
      if (!muted) beep();
    }
    if (noticeOpen) noticeOpen.addEventListener("click", (evt) => {
      evt.preventDefault();
      if (lastLoud) window.location.href = "/control-room/alerts/" + encodeURIComponent(lastLoud.id);
    });

    function arrived(alert) {
      after = Math.max(after, Number(alert.id));
      if (LOUD.has(alert.severity)) showNotice(alert);
      if (!matches(alert, filter)) return;
      if (Number(box.dataset.page || 1) === 1) {
        if (!timer) timer = setTimeout(refresh, 300);  // a burst of alerts: one refresh
      } else {
        waiting += 1;
        const list = box.querySelector("[data-alert-list]");
        let banner = box.querySelector("[data-waiting]");
        if (!banner) {
          banner = T.el("p", { class: "cr-notice", "data-waiting": "" });
          list.before(banner);
        }
        banner.replaceChildren(T.t("%(n)s new alerts match your filters.", { n: waiting }), " ",
          T.el("a", { href: box.dataset.listUrl.replace("/control-room/list", "/control-room").replace(/page=\d+/, "page=1") }, T.t("Show them")));
      }
    }

    function connect() {
      const source = new EventSource("/api/alerts/stream" + T.query({ after }));
      source.addEventListener("open", () => { live.classList.add("on"); liveText.textContent = T.t("live"); });
      source.addEventListener("alert", (evt) => {
        try { arrived(JSON.parse(evt.data)); } catch (err) { liveText.textContent = T.t("unreadable alert event"); }
      });
      source.addEventListener("denied", () => { live.classList.remove("on"); liveText.textContent = T.t("refused"); source.close(); });
      source.addEventListener("error", () => {
        live.classList.remove("on");
        liveText.textContent = T.t("reconnecting…");  // EventSource reconnects by itself (with Last-Event-ID)
      });
      window.tahqiqAlerts = source;
    }

    // New cards after a refresh flash once (not under reduced motion).
    document.body.addEventListener("htmx:afterSwap", () => {
      if (reduced) return;
      box.querySelectorAll("[data-alert]").forEach((card) => { if (Number(card.dataset.alert) > Number(box.dataset.after || 0)) card.classList.add("fresh"); });
      box.dataset.after = String(after);
    });
    connect();
    box.dataset.ready = "1";
  }

  function initMap(el) {
    if (!window.L) { el.textContent = T.t("The map library did not load."); return; }
    const at = [Number(el.dataset.lat), Number(el.dataset.lon)];
    const map = L.map(el, { minZoom: 4, maxZoom: 14, scrollWheelZoom: false }).setView(at, 9);
    L.tileLayer("/api/map/tiles/{z}/{x}/{y}.png", { maxNativeZoom: 6, maxZoom: 14, attribution: "© OpenStreetMap contributors (ODbL)" }).addTo(map);
    L.circleMarker(at, { radius: 9, color: "#a4262c", weight: 3, fillColor: "#e74c3c", fillOpacity: 0.85, className: "alert-marker" })
      .addTo(map).bindTooltip(T.bidi(el.dataset.label || ""), { permanent: true, direction: "top", offset: [0, -8] });
    el.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-control-room]").forEach(init);
    document.querySelectorAll("[data-alert-map]").forEach(initMap);
  });
})();
