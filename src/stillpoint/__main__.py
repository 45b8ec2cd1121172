"""Entry point for ``python -m stillpoint``."""

from stillpoint.cli import main

main()
