"""`stillpoint studio`: the browser studio on 127.0.0.1, until Ctrl-C."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from stillpoint import places
from stillpoint.cli import display
from stillpoint.cli.base import command_app, handled
from stillpoint.cli.options import CacheOpt, DebugOpt

app = command_app()


@app.command()
@handled
def studio(
    folder: Annotated[Optional[Path], typer.Argument(
        help="Folder of your practices (default: $XDG_DATA_HOME/stillpoint/practices, ~/.local/share/stillpoint/practices).", show_default=False)] = None,
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (default: a free one).", min=0,
                                      max=65535)] = 0,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Only print the link; open no browser.")] = False,
    cache_dir: CacheOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Write, hear and hand over practices in the browser; the first line printed is the studio's link.

    \b
    Examples:
      stillpoint studio
      stillpoint studio ~/practices --port 8800 --no-browser
    """
    from stillpoint.studio import server

    with server.listening_socket(port) as sock, server.opened(folder or places.practices_folder(), cache_dir) as state:
        token = server.new_token()
        address = server.url(sock, token)
        display.say(address)
        if no_browser or not server.open_browser(address):
            display.say("open the link above in any browser on this machine, until Ctrl-C stops the studio", err=True)
        server.serve(state, sock, token)
