/* The workspace's exports: download with fetch so that the page can show progress while the server
   builds the file (a PDF report takes seconds), then hand the file to the browser; when the gate
   refuses, show its reason and the audit entry instead of a broken download. One click is one
   request, so an export stays one audited read. No inline script (the CSP forbids it). */
(function () {
  "use strict";
  const T = () => window.Tahqiq;

  function filenameOf(res, fallback) {
    const cd = res.headers.get("content-disposition") || "";
    const m = /filename="?([^";]+)"?/i.exec(cd);
    return m ? m[1] : fallback;
  }

  function size(bytes) {
    if (bytes >= 1048576) return T().t("%(n)s MB", { n: (bytes / 1048576).toFixed(1) });
    if (bytes >= 1024) return T().t("%(n)s kB", { n: Math.round(bytes / 1024) });
    return T().t("%(n)s bytes", { n: bytes });
  }

  async function reasonOf(res) {
    try {
      const body = await res.json();
      return { reason: typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail),
               seq: body.audit_seq };
    } catch (e) {
      return { reason: res.statusText || String(res.status), seq: null };
    }
  }

  function setup(section) {
    const status = section.querySelector("[data-export-status]");
    const message = section.querySelector("[data-export-message]");
    const elapsed = section.querySelector("[data-export-elapsed]");
    const links = Array.from(section.querySelectorAll("a[data-export]"));
    let busy = false;

    function show(state, text) {
      status.hidden = false;
      status.dataset.state = state;
      message.textContent = text;
    }

    function lock(on) {
      busy = on;
      section.setAttribute("aria-busy", on ? "true" : "false");
      links.forEach((a) => (on ? a.setAttribute("aria-disabled", "true") : a.removeAttribute("aria-disabled")));
    }

    async function run(link) {
      const started = Date.now();
      const seconds = () => Math.round((Date.now() - started) / 1000);
      show("busy", link.hasAttribute("data-report") ? T().t("Building the report…") : T().t("Preparing the export…"));
      elapsed.textContent = T().t("%(n)s s elapsed", { n: 0 });
      const timer = setInterval(() => { elapsed.textContent = T().t("%(n)s s elapsed", { n: seconds() }); }, 1000);
      lock(true);
      try {
        const res = await fetch(link.href, { credentials: "same-origin" });
        if (res.status === 401) {
          window.location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
          return;
        }
        if (!res.ok) {
          const { reason, seq } = await reasonOf(res);
          show("error", seq ? T().t("The export was refused: %(reason)s (audit entry %(seq)s).", { reason, seq })
                            : T().t("The export failed: %(reason)s", { reason }));
          return;
        }
        const blob = await res.blob();
        const name = filenameOf(res, "export." + link.dataset.export);
        const url = URL.createObjectURL(blob);
        const a = document.createElement("a");
        a.href = url;
        a.download = name;
        a.hidden = true;
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60000);
        const seq = res.headers.get("x-tahqiq-audit-seq");
        show("done", T().t("Downloaded %(file)s (%(size)s) in %(n)s s; audit entry %(seq)s.",
                           { file: name, size: size(blob.size), n: seconds(), seq: seq || "?" }));
      } catch (err) {
        show("error", T().t("The export failed: %(reason)s", { reason: err.message || String(err) }));
      } finally {
        clearInterval(timer);
        elapsed.textContent = "";
        lock(false);
      }
    }

    links.forEach((link) => link.addEventListener("click", (evt) => {
      // Without fetch (or with a modifier key: "save link as…") the plain link still downloads.
      if (!window.fetch || evt.ctrlKey || evt.metaKey || evt.shiftKey || evt.altKey) return;
      evt.preventDefault();
      if (!busy) run(link);
    }));
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-exports]").forEach(setup);
  });
})();
