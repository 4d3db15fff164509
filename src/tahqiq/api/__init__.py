"""The server side of the analysts' web application: the FastAPI app (`app.create_app`), sign-in
with session cookies or bearer tokens (`auth`, `deps`), the JSON API under /api/ (`routes_*`),
search (`search`) and case exports (`exports`). Personal data reaches it only through the governance
gate; see docs/api.md."""
