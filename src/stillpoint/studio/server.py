"""The studio as a web server on the loopback interface: the app, its guards, and a run that stops cleanly."""

from __future__ import annotations

import contextlib
import importlib
import os
import secrets
import shutil
import socket
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from stillpoint.errors import UsageError
from stillpoint.language import review
from stillpoint.studio import routes
from stillpoint.studio.guard import LOOPBACK_NAMES, Guard
from stillpoint.studio.jobs import Jobs, Speaker
from stillpoint.studio.state import Studio

HOST = "127.0.0.1"


def build(studio: Studio, token: str, port: int) -> Starlette:
    """The studio's ASGI app: Host check outermost, then the token, cookie and Origin guard, then the routes."""
    app = Starlette(
        routes=routes.ROUTES,
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=list(LOOPBACK_NAMES)),
                    Middleware(Guard, token=token, port=port, uploads=routes.UPLOADS)],
        exception_handlers=routes.EXCEPTION_HANDLERS,
    )
    app.state.studio = studio
    return app


def listening_socket(port: int) -> socket.socket:
    """A socket bound to ``port`` (0: any free one) on the loopback interface only."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as err:
        sock.close()
        raise UsageError(f"--port {port}: cannot listen there ({err.strerror})",
                         hint="choose another port, or leave --port out to take a free one") from None
    sock.listen(64)
    return sock


@contextlib.contextmanager
def opened(folder: Path, cache_dir: Path | None = None) -> Iterator[Studio]:
    """The studio's state for ``folder``: its voice workers and a scratch folder, both gone when it ends."""
    from stillpoint.app.workspace import Workspace

    workspace = Workspace(folder)
    scratch = Path(tempfile.mkdtemp(prefix="stillpoint-studio-"))
    speaker = None
    try:
        speaker = Speaker(cache_dir)
        speaker.warm_up()
        _load_tagging()
        threading.Thread(target=review.prepare, name="review-dictionary", daemon=True).start()
        yield Studio(workspace, speaker, Jobs(speaker, scratch), scratch)
    finally:
        if speaker is not None:
            speaker.close()
        shutil.rmtree(scratch, ignore_errors=True)


def new_token() -> str:
    """A fresh secret for this run's link (from os.urandom)."""
    return secrets.token_urlsafe(32)


def _load_tagging() -> None:
    """Import what tagging a heard part needs (Pillow for the cover, mutagen) now rather than at the first part."""
    from stillpoint.output import cover

    importlib.import_module("stillpoint.output.tags")
    cover.generated("Stillpoint")


def serve(studio: Studio, sock: socket.socket, token: str) -> None:
    """Answer requests on ``sock`` until Ctrl-C or SIGTERM (which then goes on as KeyboardInterrupt)."""
    import uvicorn

    port = sock.getsockname()[1]
    config = uvicorn.Config(build(studio, token, port), log_level="warning", access_log=False, lifespan="off",
                            limit_concurrency=64, timeout_keep_alive=5, h11_max_incomplete_event_size=64 * 1024)
    uvicorn.Server(config).run(sockets=[sock])


def url(sock: socket.socket, token: str) -> str:
    """The address that opens the studio, token included."""
    return f"http://{HOST}:{sock.getsockname()[1]}/?token={token}"


def open_browser(address: str) -> bool:
    """Open ``address`` in the desktop's browser; False where there is no desktop to open it on.

    Without a display, Python's webbrowser would start a text browser inside the terminal the studio runs in.
    """
    import webbrowser

    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False
    return webbrowser.open(address)
