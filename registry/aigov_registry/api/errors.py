"""Every error answered as JSON ``{"detail": "<what happened and what to do>"}``."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from aigov_registry.errors import RegistryError

log = logging.getLogger("aigov_registry")
_API = "the API is described at /openapi.json"
_HTTP_DETAILS = {
    404: f"There is no such endpoint; {_API}.",
    405: f"This endpoint does not take that method; {_API}.",
}


def install_error_handlers(app: FastAPI) -> None:
    """Answer registry errors, HTTP errors, invalid requests and failures with one shape."""
    app.add_exception_handler(RegistryError, _registry_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _failure)


def _registry_error(_request: Request, exc: RegistryError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return JSONResponse({"detail": exc.detail}, status_code=exc.status, headers=headers)


def _http_error(_request: Request, exc: HTTPException) -> JSONResponse:
    detail = _HTTP_DETAILS.get(exc.status_code, exc.detail if isinstance(exc.detail, str) else str(exc.detail))
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)


def _invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = "; ".join(
        f"{' '.join(str(part) for part in error.get('loc', ()))}: {error.get('msg', 'is invalid')}"
        for error in exc.errors()
    )
    return JSONResponse({"detail": f"The request is not valid ({problems}); fix it and retry, {_API}."}, 422)


def _failure(_request: Request, exc: Exception) -> JSONResponse:
    log.error("request failed", exc_info=exc)
    return JSONResponse(
        {"detail": "The registry failed to answer this request. Retrying is safe; tell its operator if it persists."},
        status_code=500,
    )
