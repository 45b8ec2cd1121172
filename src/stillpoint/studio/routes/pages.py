"""The page and what it loads: the studio's one HTML page, and its scripts, styles and editor from the package."""

from __future__ import annotations

import secrets
from importlib import resources

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; "
               "media-src 'self' blob:; connect-src 'self'; form-action 'none'; base-uri 'none'; "
               "frame-ancestors 'none'")  # blob: the take recorded, listened back before it is sent


def page(request: Request) -> Response:
    """The studio's one page, with a fresh nonce for the editor's style element."""
    nonce = secrets.token_urlsafe(16)
    html = (resources.files("stillpoint.studio") / "static" / "index.html").read_text(encoding="utf-8")
    return HTMLResponse(html.replace("{{nonce}}", nonce),
                        headers={"content-security-policy": PAGE_POLICY.format(nonce=nonce)})


ROUTES = [
    Route("/", page),
    Mount("/static", StaticFiles(packages=[("stillpoint.studio", "static")])),
]
