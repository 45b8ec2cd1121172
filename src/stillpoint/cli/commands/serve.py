"""`stillpoint serve`: exported tracks published as a private podcast feed on this network, until Ctrl-C."""

import io
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from stillpoint.cli import display, environment
from stillpoint.cli.base import command_app, handled
from stillpoint.cli.options import DebugOpt
from stillpoint.errors import UsageError

if TYPE_CHECKING:
    from stillpoint.app import publish

app = command_app()
PORT = 8765  # the same port at every start, so a phone subscribed to the feed finds it again


@app.command()
@handled
def serve(
    folder: Annotated[Path, typer.Argument(help="The folder of exported MP3s, e.g. from export --all -o FOLDER.")],
    host: Annotated[Optional[str], typer.Option(
        "--host", help="Address to listen on (default: this machine's on its network; 127.0.0.1 keeps it here).",
        show_default=False)] = None,
    port: Annotated[int, typer.Option("--port", help="Port to listen on; 0 takes any free one.", min=0,
                                      max=65535)] = PORT,
    debug: DebugOpt = False,
) -> None:
    """Publish exported tracks as a private podcast feed for a phone on the same network, until Ctrl-C.

    The first line printed is the feed's address: subscribe to it in a podcast app, or scan the QR code below
    it. Nothing in the folder is written or changed, and nothing outside it is served; the one file written is
    this user's serving secret, which keeps the feed's address the same from run to run.

    \b
    Examples:
      stillpoint serve ~/Music/Stillpoint/
      stillpoint serve ~/Music/Stillpoint/ --host 127.0.0.1 --port 8765
    """
    from stillpoint import feedserver  # Starlette and uvicorn load only here
    from stillpoint.app import publish

    bound, public, interface = feedserver.address_for(_host(host))
    private = publish.private_path(folder)
    sock = feedserver.listening_socket(bound, port)
    try:
        url = f"http://{feedserver.url_host(public)}:{sock.getsockname()[1]}/{private}/{publish.FEED_NAME}"
        published = publish.publication(folder, url)
        _announce(published, folder, public, interface)
        feedserver.serve(feedserver.application(published, private), sock)
    finally:
        sock.close()


def _host(host: str | None) -> str | None:
    """--host as an IP address."""
    import ipaddress

    if host is None:
        return None
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        raise UsageError(f"--host {host}: not an IP address", hint="give one such as 127.0.0.1 or 192.168.1.20, "
                         "or leave it out to let stillpoint choose") from None


def _announce(published: "publish.Publication", folder: Path, public: str, interface: str) -> None:
    """The feed's address first, then its QR code (on a terminal), what was left out, and where it listens."""
    import segno

    env = environment.current()
    display.say(published.feed_url)
    if env.stdout_isatty:
        code = io.StringIO()
        segno.make(published.feed_url).terminal(out=code, compact=True, border=2)
        typer.echo(code.getvalue(), file=env.output, nl=False)
    for path, reason in published.left_out:
        display.warning(f"{path}: {reason}; left out of the feed")
    reach = (f"a phone on the same network reaches it through {interface}" if interface
             else "only this machine can reach it")
    display.say(f"serving {display.count(len(published.audio), 'track')} from {folder} at {public} ({reach}); "
                "read-only; Ctrl-C stops")
