"""The witness over HTTP (c2sp.org/tlog-witness), served by uvicorn (`tahqiq audit witness serve`).

    POST /add-checkpoint   old size, consistency proof, checkpoint -> the cosignature line (200);
                           400 malformed, 403 not the log's signature, 404 unknown log,
                           409 "<size>\\n" (text/x.tlog.size) the witness holds another size or a
                           different root at this size, 422 the proof does not verify
    GET  /checkpoint       the newest cosigned checkpoint (signed note), 404 before the first

The app needs no database: only the Witness and its state folder.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tahqiq.govern.witness import AddCheckpoint, Witness, WitnessError

MAX_BODY = 64 * 1024  # a checkpoint, 63 proof hashes and a few signatures fit in 8 KiB


async def _read_limited(request: Request) -> bytes | None:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return None
    return bytes(body)


def create_app(witness: Witness) -> Starlette:
    async def add_checkpoint(request: Request) -> Response:
        body = await _read_limited(request)
        if body is None:
            return PlainTextResponse(f"the body is larger than {MAX_BODY} bytes\n", status_code=413)
        try:
            req = AddCheckpoint.parse(body.decode("utf-8"))
            # File writes and fsync: off the event loop.
            line = await run_in_threadpool(witness.add_checkpoint, req.old_size, req.proof, req.checkpoint)
        except UnicodeDecodeError:
            return PlainTextResponse("the body is not UTF-8\n", status_code=400)
        except WitnessError as exc:
            if exc.status == 409 and exc.size is not None:
                # Exactly this media type (tlog-witness), without the charset Starlette adds to text/*.
                return Response(f"{exc.size}\n", status_code=409, headers={"content-type": "text/x.tlog.size"})
            return PlainTextResponse(f"{exc}\n", status_code=exc.status)
        return PlainTextResponse(line)

    async def checkpoint(request: Request) -> Response:
        latest = await run_in_threadpool(witness.latest)
        if latest is None:
            return PlainTextResponse("this witness has cosigned no checkpoint yet\n", status_code=404)
        return PlainTextResponse(latest)

    return Starlette(routes=[
        Route("/add-checkpoint", add_checkpoint, methods=["POST"]),
        Route("/checkpoint", checkpoint, methods=["GET"]),
    ])


__all__ = ["MAX_BODY", "create_app"]
