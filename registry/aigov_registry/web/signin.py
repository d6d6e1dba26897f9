"""Signing in with an API token: kept in an HttpOnly, SameSite=Strict cookie; every page reads its caller from it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from aigov_registry.api.deps import registry
from aigov_registry.tokens import Caller, caller_for
from aigov_registry.web.rendering import SignInRequired, WebRoute, render

COOKIE = "aigov_registry_token"
router = APIRouter(route_class=WebRoute, include_in_schema=False)


def signed_in(request: Request) -> Caller:
    """The caller whose token the browser holds; a redirect to sign-in when it holds none or a revoked one."""
    token = request.cookies.get(COOKIE)
    if not token:
        raise SignInRequired()
    with registry(request).sessions() as opened:
        caller = caller_for(opened, token)
    if caller is None or not caller.may("read"):
        raise SignInRequired()
    return caller


Viewer = Annotated[Caller, Depends(signed_in)]


def local_target(target: str) -> str:
    """Where to go after signing in: a path on this registry, never another site (``//host`` or ``/\\host``)."""
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/models"
    return target


@router.get("/")
def home(_caller: Viewer) -> RedirectResponse:
    """The inventory is the front page."""
    return RedirectResponse("/models", status_code=303)


@router.get("/sign-in")
def sign_in_form(request: Request, next: str = "/models") -> Response:
    """The sign-in form."""
    return render(request, "sign_in.html", {"caller": None, "next": local_target(next), "problem": None})


@router.post("/sign-in")
def sign_in(
    request: Request,
    token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/models",
) -> Response:
    """Check the token and keep it in the cookie; the form again, with the reason, when it is not live."""
    token = token.strip()
    with registry(request).sessions() as opened:
        caller = caller_for(opened, token) if token else None
    if caller is None:
        problem = (
            "That token is not known to this registry or was revoked. Paste a token made by "
            "`aigov-registry token create --team TEAM --role read`, or ask the registry's operator for one."
        )
        return render(request, "sign_in.html", {"caller": None, "next": local_target(next), "problem": problem}, 401)
    answer = RedirectResponse(local_target(next), status_code=303)
    answer.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return answer


@router.post("/sign-out")
def sign_out() -> RedirectResponse:
    """Forget the token."""
    answer = RedirectResponse("/sign-in", status_code=303)
    answer.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return answer
