"""What /openapi.json promises and the app's answers agree on, beyond what FastAPI derives from the
routes (tests/api/test_contract.py fuzzes the app against the document with schemathesis):

* **how to authenticate**: routes that need a signed-in user depend on the security schemes below
  (`SIGNED_IN` in tahqiq.api.models), so FastAPI lists the session cookie and the bearer token in
  `securitySchemes` and on each such operation; each of them also declares its 401;
* **bodies that cannot be read**: FastAPI answers 400 ("There was an error parsing the body") to a
  body that is not UTF-8, before any route runs; every operation with a body declares it;
* **CSRF refusals**: an unsafe operation of a signed-in user may answer 403, and any of them 400 for
  a NUL character in its input (`refuse_nul` in tahqiq.api.models);
* **405 Method Not Allowed** names in `Allow` every method the path has (Starlette names only the
  methods of the first route it tried, e.g. `GET, HEAD` for a path that also has a `POST` route).

    document_contract(app)    # once, after every router is included (compose.create_app)
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.security import APIKeyCookie, HTTPBearer
from starlette.exceptions import HTTPException
from starlette.routing import Match

from tahqiq.api.auth import SESSION_COOKIE

# auto_error=False: they only document; `deps.principal` decides (and answers 401 itself).
SESSION = APIKeyCookie(name=SESSION_COOKIE, scheme_name="session", auto_error=False,
                       description="set by POST /api/login; unsafe requests also send the session's X-CSRF-Token")
BEARER = HTTPBearer(scheme_name="bearer", auto_error=False,
                    description="a personal API token from `tahqiq token create`")
PROBLEM = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
UNSAFE = {"post", "put", "patch", "delete"}
METHODS = {"get", "head", "options", "post", "put", "patch", "delete", "trace"}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": PROBLEM}


def amend(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` (FastAPI's document) with the answers above declared, in place."""
    schema.setdefault("components", {}).setdefault("schemas", {}).setdefault("Problem", {
        "type": "object", "required": ["detail"], "title": "Problem",
        "properties": {"detail": {"type": "string"}, "audit_seq": {"anyOf": [{"type": "integer"}, {"type": "null"}]}}})
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            answers = operation.setdefault("responses", {})
            if operation.get("security"):
                answers.setdefault("401", _problem("not signed in: no session cookie or bearer token, or a bad one"))
                answers.setdefault("400", _problem("bad input, e.g. a NUL character in a parameter"))
                if method in UNSAFE:
                    answers.setdefault("403", _problem("refused: a cookie session without its CSRF token"))
            if "requestBody" in operation:
                answers.setdefault("400", _problem("the body cannot be read (not UTF-8, or not the declared type)"))
    return schema


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at this request's path."""
    methods: set[str] = set()
    for method in sorted(m.upper() for m in METHODS):
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            methods.add(method)
    return sorted(methods)


async def method_not_allowed(request: Request, exc: Exception) -> Response:
    """The app's own HTTP error answer, with `Allow` naming every method of the path (RFC 9110)."""
    assert isinstance(exc, HTTPException)
    allowed = allowed_methods(request)
    headers = {**(exc.headers or {}), **({"Allow": ", ".join(allowed)} if allowed else {})}
    fixed = HTTPException(405, exc.detail, headers=headers)
    handler = request.app.exception_handlers.get(HTTPException, http_exception_handler)
    return await handler(request, fixed)


def document_contract(app: FastAPI) -> None:
    """Serve the amended document at /openapi.json and answer 405s with the right `Allow`."""
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = amend(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_exception_handler(405, method_not_allowed)


__all__ = ["BEARER", "SESSION", "allowed_methods", "amend", "document_contract"]
