"""Serving a published feed over HTTP to a phone on the same network (Starlette on uvicorn).

Read-only, and only the publication's own files: a request names a file by its name under the private path, and
anything not on that list (another path, `..`, an encoded slash, another method) is answered 404 or 405. A track
is opened when it is asked for, without following a link, and served from what was opened only if that is a
regular file: anything swapped in since the start is a 404. Audio is served with byte ranges (206, 416), HEAD
and its media type, which podcast apps need to seek and resume. Besides cli.py, the only module that speaks HTTP.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import ipaddress
import os
import re
import socket
from collections.abc import AsyncIterator, Mapping
from email.utils import formatdate
from typing import BinaryIO

import anyio
import psutil
import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from stillpoint.app.publish import Publication, open_track
from stillpoint.errors import ServeError
from stillpoint.output.feed import AUDIO_TYPE

LOOPBACK = "127.0.0.1"
BACKLOG = 64
HEADERS_LIMIT = 16 * 1024  # bytes of request headers a request may carry: more is answered 431
CHUNK = 64 * 1024  # bytes of a track read and sent at a time
# One range of bytes: "a-b", "a-" or "-n" (the last n). Several ranges, or anything else, get the whole track.
BYTE_RANGE = re.compile(r"bytes=(\d{0,18})-(\d{0,18})")


def application(published: Publication, private_path: str) -> Starlette:
    """The web application serving ``published`` under /``private_path``/."""

    async def one_file(request: Request) -> Response:
        if not hmac.compare_digest(request.path_params["private"].encode(), private_path.encode()):
            raise HTTPException(404)
        name = request.path_params["name"]
        if name in published.audio:
            track = open_track(published, name)
            if track is None:
                raise HTTPException(404)
            return _track_response(track, request)
        document = published.documents.get(name)
        if document is None:
            raise HTTPException(404)
        return Response(document.body, media_type=document.media_type)

    app = Starlette(routes=[Route("/{private}/{name}", one_file, methods=["GET", "HEAD"])],
                    middleware=[Middleware(_HeadersLimit)])
    app.router.redirect_slashes = False  # a name with a slash after it is no file of the feed: 404, not a redirect
    return app


def _track_response(track: BinaryIO, request: Request) -> Response:
    """The opened ``track`` as the answer: whole, or the one range of bytes asked for (206; 416 if past its end)."""
    found = os.fstat(track.fileno())
    headers = {"accept-ranges": "bytes", **_validators(found)}
    span = _byte_range(request.headers, found.st_size, (headers["etag"], headers["last-modified"]))
    if span is not None and span[0] >= span[1]:
        track.close()
        return PlainTextResponse(status_code=416, headers={"content-range": f"bytes */{found.st_size}"})
    start, end = span or (0, found.st_size)
    if span:
        headers["content-range"] = f"bytes {start}-{end - 1}/{found.st_size}"
    headers["content-length"] = str(end - start)
    status = 206 if span else 200
    if request.method == "HEAD":
        track.close()
        return Response(status_code=status, headers=headers, media_type=AUDIO_TYPE)
    body = _chunks(track, start, end)
    return StreamingResponse(body, status_code=status, headers=headers, media_type=AUDIO_TYPE)


def _validators(found: os.stat_result) -> dict[str, str]:
    """The ETag and Last-Modified of a track, from its size and time, by which apps tell whether it changed."""
    tag = hashlib.md5(f"{found.st_mtime}-{found.st_size}".encode(), usedforsecurity=False).hexdigest()
    return {"etag": f'"{tag}"', "last-modified": formatdate(found.st_mtime, usegmt=True)}


def _byte_range(headers: Mapping[str, str], size: int, validators: tuple[str, str]) -> tuple[int, int] | None:
    """The one range of bytes [start, end) asked for, empty when it lies past the end; None for the whole track.

    The whole track without a Range header, for one not understood or naming several ranges, and under an If-Range
    that the track's ETag or date no longer match.
    """
    asked, condition = headers.get("range"), headers.get("if-range")
    match = BYTE_RANGE.fullmatch(asked.strip()) if asked else None
    if not match or not any(match.groups()) or condition not in (None, *validators):
        return None
    first, last = match.groups()
    if not first:  # the last bytes
        return (max(size - int(last), 0) if int(last) else size), size
    start = int(first)
    if last and int(last) < start:
        return None
    return start, min(int(last) + 1, size) if last else size


class _HeadersLimit:
    """Answers 431 to a request whose headers pass HEADERS_LIMIT (uvicorn's own limit holds only while they arrive)."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, unless its headers are too large."""
        if scope["type"] == "http" and sum(len(key) + len(value) for key, value in scope["headers"]) > HEADERS_LIMIT:
            await PlainTextResponse("request headers too large", status_code=431)(scope, receive, send)
            return
        await self._app(scope, receive, send)


async def _chunks(track: BinaryIO, start: int, end: int) -> AsyncIterator[bytes]:
    """Bytes [start, end) of the opened track, a chunk at a time, read off the event loop; closes it at the end."""
    with track:
        track.seek(start)
        while start < end:
            chunk = await anyio.to_thread.run_sync(track.read, min(CHUNK, end - start))
            if not chunk:  # cut short meanwhile: the answer ends early and the client sees it incomplete
                return
            start += len(chunk)
            yield chunk


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on ``host``:``port`` (0: any free port); ServeError if it cannot."""
    family = socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    if os.name == "posix":  # at once again after a stop; Windows would let a second server share the port
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(BACKLOG)  # now, not when uvicorn has started: a phone may ask as soon as the address is shown
    except OSError as err:
        sock.close()
        raise _bind_error(host, port, err) from None
    return sock


def serve(app: Starlette, sock: socket.socket) -> None:
    """Answer requests on ``sock`` until interrupted (Ctrl-C or SIGTERM, raised again once the server stopped)."""
    config = uvicorn.Config(app, log_level="critical", access_log=False, lifespan="off",
                            h11_max_incomplete_event_size=HEADERS_LIMIT, server_header=False)
    uvicorn.Server(config).run(sockets=[sock])


def address_for(host: str | None) -> tuple[str, str, str]:
    """(address to listen on, address for URLs, its network interface or '' for this machine only) for --host.

    No --host: this machine's address on its network, where a phone on the same network can reach it (loopback
    when it has none). 0.0.0.0 or :: listens everywhere and names the network address in URLs.
    """
    if host is not None and not ipaddress.ip_address(host).is_unspecified:
        local = ipaddress.ip_address(host).is_loopback
        return host, host, "" if local else _interfaces().get(host, "its network")
    found = network_address()
    public, interface = found or (LOOPBACK, "")
    return host or public, public, interface


def network_address() -> tuple[str, str] | None:
    """(IPv4 address, interface) where a phone on the same network can reach this machine; None if offline.

    Read from the interfaces' own settings: nothing is sent. Private addresses (a home network) come first.
    """
    found = [(not ipaddress.ip_address(address).is_private, address, name)
             for address, name in _interfaces().items() if ipaddress.ip_address(address).version == 4
             and _reachable(address)]
    return min(found)[1:] if found else None


def _interfaces() -> dict[str, str]:
    """Each address of a network interface that is up, with the interface's name."""
    up = {name for name, stats in psutil.net_if_stats().items() if stats.isup}
    return {address.address.split("%")[0]: name for name, addresses in psutil.net_if_addrs().items() if name in up
            for address in addresses if address.family in (socket.AF_INET, socket.AF_INET6)}


def url_host(host: str) -> str:
    """A host as it is written in a URL (an IPv6 address in brackets)."""
    return f"[{host}]" if ipaddress.ip_address(host).version == 6 else host


def _reachable(address: str) -> bool:
    """Whether another machine could reach this address: not loopback, not link-local, not unspecified."""
    ip = ipaddress.ip_address(address)
    return not (ip.is_loopback or ip.is_link_local or ip.is_unspecified)


def _bind_error(host: str, port: int, err: OSError) -> ServeError:
    """The one-line error for an address or port that cannot be used."""
    if err.errno == errno.EADDRINUSE:
        return ServeError(f"port {port} is in use on {host}", hint="choose another with --port, or stop the other server")
    if err.errno == errno.EADDRNOTAVAIL:
        return ServeError(f"{host} is not an address of this machine", hint="leave out --host to let it choose one")
    if err.errno == errno.EACCES:
        return ServeError(f"port {port} needs special permission", hint="choose one above 1023 with --port")
    return ServeError(f"cannot listen on {host} port {port}: {err.strerror}", hint="choose another --host or --port")
