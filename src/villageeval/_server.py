"""``villageeval serve``: the library as an HTTP service, for platforms that call it over the network.

Starlette on uvicorn (the ``server`` extra). Starlette because the service is small and
its JSON is villageeval's own (the interchange's writers produce every byte of a
result): a framework that serialises attrs classes itself (Litestar, through msgspec)
would be a second writer of the same format, and a larger, faster-moving dependency for
seven routes. Starlette is a thin, stable ASGI toolkit, and uvicorn the server most
deployments already know.

Every request is independent: it reads its body, grades in a worker thread (grading is
CPU-bound, so the event loop keeps answering), and shares nothing with other requests
but the cache of loaded schemes. Bad input is always a 4xx with the same problem
objects as ``villageeval --errors json``; a 500 means a bug in villageeval.
"""

from __future__ import annotations

import hmac
import json
import threading
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from ._errors import CohortError, PluginError, Problem, SchemeError, UnknownSchemeError, VillageevalError
from ._model import Scheme
from ._plugins import Registry

__all__ = ["DEFAULT_MAX_BODY", "ServiceConfig", "create_app", "openapi_document", "serve"]

#: How problems in a request's body name the "file" they are in.
BODY = "<request body>"

#: The largest request body accepted by default: a province's cohort as JSON is about
#: 300 MB; a township's, the usual request, well under 1 MB.
DEFAULT_MAX_BODY = 64 * 1024 * 1024


class ServiceConfig:
    """What the service is started with: where schemes come from, the body limit, the token."""

    def __init__(
        self,
        *,
        with_rules: Sequence[str | Path] = (),
        max_body: int = DEFAULT_MAX_BODY,
        token: str | None = None,
        autoload: bool | None = None,
    ) -> None:
        self.with_rules = tuple(Path(d) for d in with_rules)
        self.max_body = max_body
        self.token = token
        self.autoload = autoload


class _Schemes:
    """The schemes the service grades under, loaded once each (the only state requests share)."""

    def __init__(self, config: ServiceConfig) -> None:
        from ._plugins import make_plugin_manager

        self.registry = Registry(make_plugin_manager(autoload=config.autoload))
        for directory in config.with_rules:
            self.registry.add_scheme_directory(directory)
        self._loaded: dict[str, Scheme] = {}
        self._lock = threading.Lock()

    def ids(self) -> list[str]:
        return list(self.registry.schemes())

    def get(self, scheme_id: str) -> Scheme:
        """The scheme of this id, loaded on first use (UnknownSchemeError, SchemeError)."""
        scheme = self._loaded.get(scheme_id)
        if scheme is not None:
            return scheme
        with self._lock:
            scheme = self._loaded.get(scheme_id)
            if scheme is None:
                from ._load import load_scheme

                known = self.registry.schemes()
                if scheme_id not in known:
                    raise UnknownSchemeError(scheme_id, sorted(known))
                scheme = load_scheme(known[scheme_id], registry=self.registry)
                self._loaded[scheme_id] = scheme
            return scheme


def _problems(error: Exception) -> list[dict[str, Any]]:
    """The problem objects of an error, as ``--errors json`` writes them."""
    if isinstance(error, (SchemeError, CohortError)):
        return [p.to_dict() for p in error.problems]
    if isinstance(error, UnknownSchemeError):
        return [Problem((), str(error), code="unknown_scheme").to_dict()]
    return [Problem((), str(error), code="bad_request").to_dict()]


def create_app(config: ServiceConfig | None = None) -> Any:
    """The ASGI application (a Starlette app) serving villageeval."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    from . import __version__
    from ._bound import scheme_origin
    from ._cohort import loads_cohort
    from ._describe import describe_scheme
    from ._engine import evaluate
    from ._interchange import outcome_to_dict, result_to_json
    from ._load import loads_scheme
    from ._reading import NotText, decode_text

    config = config or ServiceConfig()
    schemes = _Schemes(config)

    def problem_response(status: int, problems: list[dict[str, Any]]) -> Response:
        return JSONResponse({"problems": problems}, status_code=status)

    def json_bytes(data: Any) -> Response:
        body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
        return Response(body, media_type="application/json; charset=utf-8")

    async def body_of(request: Request) -> bytes:
        """The request's body, refusing one past the limit before reading it all."""
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > config.max_body:
            raise _TooLarge(int(length))
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > config.max_body:
                raise _TooLarge(size)
            chunks.append(chunk)
        return b"".join(chunks)

    def text_of(raw: bytes) -> str:
        """The body as UTF-8 text, as a file would be read (the encoding named otherwise)."""
        try:
            return decode_text(raw)
        except NotText as e:
            raise CohortError([Problem((), e.message, BODY, e.line, code="not_text")]) from None

    async def cohort_of(request: Request) -> Any:
        text = text_of(await body_of(request))
        return await run_in_threadpool(lambda: loads_cohort(text, source=BODY))

    async def health(request: Request) -> Response:
        return json_bytes({"status": "ok", "villageeval": __version__})

    async def list_schemes(request: Request) -> Response:
        out = []
        for sid in schemes.ids():
            try:
                title = schemes.get(sid).title
            except VillageevalError:
                title = None  # listed, and `villageeval check` says why it does not load
            out.append({"id": sid, "title": title})
        return json_bytes({"schemes": out})

    async def describe(request: Request) -> Response:
        scheme = await run_in_threadpool(schemes.get, request.path_params["scheme_id"])
        return json_bytes(describe_scheme(scheme))

    async def grade(request: Request) -> Response:
        scheme = await run_in_threadpool(schemes.get, request.path_params["scheme_id"])
        trace = request.query_params.get("trace", "true").lower() not in ("false", "0", "no")
        cohort = await cohort_of(request)

        def work() -> bytes:
            from ._catalogue import english_only

            with english_only():  # the answer is English JSON: no catalogue keys kept in the traces
                return result_to_json(evaluate(scheme, cohort, trace=trace), trace=trace).encode("utf-8")

        return Response(await run_in_threadpool(work), media_type="application/json; charset=utf-8")

    async def explain(request: Request) -> Response:
        scheme = await run_in_threadpool(schemes.get, request.path_params["scheme_id"])
        subject_id = request.path_params["subject_id"]
        cohort = await cohort_of(request)

        def work() -> dict[str, Any] | None:
            result = evaluate(scheme, cohort, trace=True)
            if subject_id not in {o.subject_id for o in result}:
                return None
            from ._cli import explain_outcome

            outcome = result.outcome(subject_id)
            return {"outcome": outcome_to_dict(outcome), "text": explain_outcome(outcome, scheme)}

        answer = await run_in_threadpool(work)
        if answer is None:
            message = f"no subject {subject_id!r} in the cohort"
            return problem_response(404, [Problem(("subjects",), message, code="unknown_subject").to_dict()])
        return json_bytes(answer)

    async def check(request: Request) -> Response:
        text = text_of(await body_of(request))

        def work() -> dict[str, Any]:
            try:
                scheme = loads_scheme(text, registry=schemes.registry, file=BODY)
            except SchemeError as e:
                return {"ok": False, "problems": [p.to_dict() for p in e.problems]}
            return {"ok": True, "scheme": scheme.id, "origin": scheme_origin(scheme), "problems": []}

        return json_bytes(await run_in_threadpool(work))

    async def openapi(request: Request) -> Response:
        return json_bytes(openapi_document())

    def guarded(endpoint: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        """The endpoint behind the bearer token (when one is set), with errors as problems."""

        async def run(request: Request) -> Response:
            if config.token is not None and endpoint is not health:
                given = request.headers.get("authorization", "")
                scheme_, _, token = given.partition(" ")
                if scheme_.lower() != "bearer" or not hmac.compare_digest(token.encode(), config.token.encode()):
                    return problem_response(
                        401,
                        [
                            Problem(
                                (), "a bearer token is required (Authorization: Bearer …)", code="unauthorized"
                            ).to_dict()
                        ],
                    )
            try:
                return await endpoint(request)
            except _TooLarge as e:
                message = f"the request body is larger than the {config.max_body} bytes this service accepts ({e.size})"
                return problem_response(413, [Problem((), message, code="too_large").to_dict()])
            except UnknownSchemeError as e:
                return problem_response(404, _problems(e))
            except (SchemeError, CohortError, PluginError) as e:
                # A scheme that does not load is the service's configuration, not the request: 422 still
                # says the request cannot be answered as sent, and lists why.
                return problem_response(422 if isinstance(e, SchemeError) else 400, _problems(e))
            except VillageevalError as e:
                return problem_response(400, _problems(e))

        return run

    routes = [
        Route("/health", guarded(health), methods=["GET"]),
        Route("/schemes", guarded(list_schemes), methods=["GET"]),
        Route("/schemes/{scheme_id}", guarded(describe), methods=["GET"]),
        Route("/schemes/{scheme_id}/evaluate", guarded(grade), methods=["POST"]),
        Route("/schemes/{scheme_id}/explain/{subject_id}", guarded(explain), methods=["POST"]),
        Route("/check", guarded(check), methods=["POST"]),
        Route("/openapi.json", guarded(openapi), methods=["GET"]),
    ]
    return Starlette(routes=routes)


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def openapi_document() -> dict[str, Any]:
    """The service's OpenAPI 3.1 document, its bodies described by the interchange's JSON Schemas."""
    from . import __version__
    from ._schema import schema_of

    schemas = {name: schema_of(name) for name in ("cohort", "result", "problem", "describe")}
    components = {f"{name.capitalize()}": _without_meta(s) for name, s in schemas.items()}
    json_of = {"application/json": {"schema": {"$ref": "#/components/schemas/Result"}}}
    problems = {
        "description": "bad input: every problem, as villageeval --errors json writes them",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"problems": {"type": "array", "items": {"$ref": "#/components/schemas/Problem"}}},
                }
            }
        },
    }
    scheme_id = {"name": "scheme_id", "in": "path", "required": True, "schema": {"type": "string"}}
    cohort_body = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Cohort"}}},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "villageeval", "version": __version__},
        "paths": {
            "/health": {"get": {"summary": "the service is up", "responses": {"200": {"description": "ok"}}}},
            "/schemes": {
                "get": {"summary": "the registered schemes", "responses": {"200": {"description": "ids and titles"}}}
            },
            "/schemes/{scheme_id}": {
                "get": {
                    "summary": "what a scheme needs as input (villageeval describe)",
                    "parameters": [scheme_id],
                    "responses": {
                        "200": {
                            "description": "the describe document",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Describe"}}},
                        },
                        "404": problems,
                    },
                }
            },
            "/schemes/{scheme_id}/evaluate": {
                "post": {
                    "summary": "grade a cohort",
                    "parameters": [
                        scheme_id,
                        {
                            "name": "trace",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "boolean", "default": True},
                        },
                    ],
                    "requestBody": cohort_body,
                    "responses": {
                        "200": {"description": "the result", "content": json_of},
                        "400": problems,
                        "404": problems,
                        "413": problems,
                    },
                }
            },
            "/schemes/{scheme_id}/explain/{subject_id}": {
                "post": {
                    "summary": "one subject's outcome, explained step by step",
                    "parameters": [
                        scheme_id,
                        {"name": "subject_id", "in": "path", "required": True, "schema": {"type": "string"}},
                    ],
                    "requestBody": cohort_body,
                    "responses": {
                        "200": {"description": "the outcome and its explanation"},
                        "400": problems,
                        "404": problems,
                    },
                }
            },
            "/check": {
                "post": {
                    "summary": "check a scheme's TOML (villageeval check)",
                    "requestBody": {"required": True, "content": {"application/toml": {"schema": {"type": "string"}}}},
                    "responses": {"200": {"description": "ok, or every problem"}, "400": problems, "413": problems},
                }
            },
            "/openapi.json": {
                "get": {"summary": "this document", "responses": {"200": {"description": "OpenAPI 3.1"}}}
            },
        },
        "components": {"schemas": components, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }


def _without_meta(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON Schema as an OpenAPI component: its ``$defs`` kept, the ``$schema`` and ``$id`` dropped."""
    return {k: v for k, v in schema.items() if k not in ("$schema", "$id")}


def serve(config: ServiceConfig, *, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the service until interrupted (uvicorn, one process)."""
    import uvicorn

    uvicorn.run(create_app(config), host=host, port=port, log_level="warning")
