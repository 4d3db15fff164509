/* Starts Swagger UI on /docs over /openapi.json. A file of its own because the Content-Security-Policy
   forbids inline scripts; everything it loads is served by Tahqiq (no CDN, no validator badge). */
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-spec") || "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,            // the default asks validator.swagger.io, which offline machines cannot reach
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // "Try it out" with the browser's session: unsafe methods need the session's CSRF token.
    requestInterceptor: function (req) {
      if (csrf) { req.headers["X-CSRF-Token"] = csrf; }
      return req;
    }
  });
});
