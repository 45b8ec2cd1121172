"""Who may talk to the studio: a browser that opened its link, from this machine, and nothing else.

The token printed with the link opens the studio for as long as it runs, in any browser: each time, it is
exchanged for an HttpOnly, SameSite=strict cookie holding a second secret and leaves the address bar. Every
other request without that cookie is refused, with a page saying how to get in. State-changing requests must
come from the studio's own page (their Origin), and no request may announce a body larger than the studio has
use for: 2 MB, or a route's own limit for an upload, such as a take (the routes count what actually arrives).
Foreign Host headers (DNS rebinding) are refused before this, by Starlette's TrustedHostMiddleware.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from importlib import resources
from http.cookies import SimpleCookie
from types import MappingProxyType
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK_NAMES = ("127.0.0.1", "localhost")
SAFE_METHODS = ("GET", "HEAD")
MAX_BODY = 2_000_000  # a script is a few KB, a table of clients a few hundred; nothing the page sends is larger
REFUSED = ("This is Stillpoint's studio. Open it with the link `stillpoint studio` printed in its terminal: "
           "it works for as long as the studio runs.")
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
DEFAULT_POLICY = "default-src 'none'; frame-ancestors 'none'"
LOCKED_POLICY = ("default-src 'none'; style-src 'nonce-{nonce}'; base-uri 'none'; form-action 'none'; "
                 "frame-ancestors 'none'")


class Guard:
    """ASGI middleware: the token exchange, the cookie check, the Origin check, the body limit, safe headers."""

    def __init__(self, app: ASGIApp, token: str, port: int, max_body: int = MAX_BODY,
                 uploads: Mapping[str, int] = MappingProxyType({})):
        self.app, self.token, self.max_body, self.uploads = app, token, max_body, uploads
        self.secret = secrets.token_urlsafe(32)
        self.cookie = f"stillpoint-studio-{port}"  # cookies ignore ports: one name per studio on this machine
        self.origins = {f"http://{name}:{port}" for name in LOOPBACK_NAMES}
        self.locked = _locked_page(port)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        answer = self._entry(scope, headers) if self._offers_token(scope) else self._refusal(scope, headers)
        await (answer or self.app)(scope, receive, _headed(send))

    def _entry(self, scope: Scope, headers: Headers) -> Response:
        """The answer to the link: this run's token (or the cookie already held) leads to the page, else refused."""
        if self._token_ok(scope):
            return self._exchange()
        return RedirectResponse("/", 303) if self._has_cookie(headers) else self._locked_out(scope)

    def _refusal(self, scope: Scope, headers: Headers) -> Response | None:
        """The answer to a request that may not go further, or None."""
        if not self._has_cookie(headers):
            return self._locked_out(scope)
        if scope["method"] not in SAFE_METHODS and headers.get("origin") not in self.origins:
            return PlainTextResponse("refused: this request did not come from the studio's page", 403)
        length = headers.get("content-length", "0")
        if not length.isdigit() or int(length) > self.uploads.get(scope["path"], self.max_body):
            return PlainTextResponse("request too large", 413)
        return None

    def _offers_token(self, scope: Scope) -> bool:
        """A GET of the page with ?token= in its query."""
        return scope["method"] == "GET" and scope["path"] == "/" and b"token=" in scope.get("query_string", b"")

    def _token_ok(self, scope: Scope) -> bool:
        """Whether the query holds this run's token."""
        offered = parse_qs(scope["query_string"].decode("latin-1")).get("token", [""])[0]
        return hmac.compare_digest(offered.encode(), self.token.encode())

    def _exchange(self) -> Response:
        """The cookie for this browser, and the page again without the token in its address."""
        response = RedirectResponse("/", 303)
        response.set_cookie(self.cookie, self.secret, httponly=True, samesite="strict", path="/")
        return response

    def _locked_out(self, scope: Scope) -> Response:
        """How to get in: a page for a browser, the same words as JSON for the studio's own requests."""
        if scope["path"].startswith("/api/"):
            return JSONResponse({"error": REFUSED}, 403)
        nonce = secrets.token_urlsafe(16)
        return HTMLResponse(self.locked.replace("{{nonce}}", nonce), 403,
                            headers={"content-security-policy": LOCKED_POLICY.format(nonce=nonce)})

    def _has_cookie(self, headers: Headers) -> bool:
        """Whether the request carries this run's cookie."""
        jar = SimpleCookie()
        try:
            jar.load(headers.get("cookie", ""))
        except Exception:  # http.cookies raises its own CookieError and others on garbage: no cookie then
            return False
        held = jar.get(self.cookie)
        return held is not None and hmac.compare_digest(held.value.encode(), self.secret.encode())


def _locked_page(port: int) -> str:
    """The page that says how to get in, naming this studio's port (its ``{{nonce}}`` still to fill)."""
    page = (resources.files("stillpoint.studio") / "static" / "locked.html").read_text(encoding="utf-8")
    return page.replace("{{port}}", str(port))


def _headed(send: Send) -> Send:
    """``send`` adding the security headers, and a policy that allows nothing to responses that set none."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {name.lower() for name, _value in message.get("headers", [])}
            extra = dict(SECURITY_HEADERS)
            if b"content-security-policy" not in present:
                extra["content-security-policy"] = DEFAULT_POLICY
            if b"cache-control" not in present:
                extra["cache-control"] = "no-store"
            message = {**message, "headers": [*message.get("headers", []),
                                              *((k.encode(), v.encode()) for k, v in extra.items())]}
        await send(message)

    return sending
