"""The `stillpoint` command line: arguments in, messages and exit statuses out; with the studio and the feed
server, the only code that prints or exits.

``main`` builds the group of commands (``main.py``); each command lives in a module of its own under
``commands/``, loaded only when it runs (``group.py``). Around every command, ``base.py`` unpacks the option
groups of ``options.py`` and turns errors into one line and an exit status; ``display.py`` prints, escaped;
``environment.py`` is the one place the commands learn about their streams and system.
"""

from stillpoint.cli.main import app, main

__all__ = ["app", "main"]
