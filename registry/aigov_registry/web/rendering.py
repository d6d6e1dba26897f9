"""How web pages are answered: Jinja2 templates (autoescaped), and registry errors shown as pages, not JSON."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader, StrictUndefined

from aigov_registry.errors import RegistryError

# The pages load nothing but their own stylesheet; no script runs, so a stored value can never become code.
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class SignInRequired(Exception):
    """The request has no live sign-in: the browser is sent to the sign-in page."""


def when(moment: datetime | None) -> str:
    """A time as the pages show it: UTC to the second."""
    return "—" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S UTC")


_environment = Environment(
    loader=PackageLoader("aigov_registry.web", "templates"), autoescape=True, undefined=StrictUndefined
)
_environment.filters["when"] = when


def render(request: Request, template: str, context: Mapping[str, Any], status: int = 200) -> HTMLResponse:
    """The page ``template`` filled with ``context`` (every value escaped)."""
    page = _environment.get_template(template).render(request=request, **context)
    return HTMLResponse(page, status_code=status, headers=_HEADERS)


def _problem(request: Request, status: int, detail: str) -> HTMLResponse:
    return render(request, "problem.html", {"status": status, "detail": detail, "caller": None}, status)


class WebRoute(APIRoute):
    """A page's route: a missing sign-in redirects to it, and registry errors render as pages.

    The application's handlers (``api/errors.py``) keep answering every /api/v1 request as JSON.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handle(request)
            except SignInRequired:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/sign-in?next={quote(target, safe='')}", status_code=303)
            except RegistryError as exc:
                return _problem(request, exc.status, exc.detail)
            except RequestValidationError as exc:
                problems = "; ".join(
                    f"{' '.join(str(part) for part in error.get('loc', ())[1:])}: {error.get('msg', 'is invalid')}"
                    for error in exc.errors()
                )
                return _problem(request, 422, f"The address is not valid ({problems}); fix it and reload.")

        return answer
