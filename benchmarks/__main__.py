"""Run every benchmarks/bench_*.py and print its rows as one table: `python -m benchmarks`."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

COLUMNS = ("name", "measured", "target", "ok")


def rows() -> list[dict]:
    """The rows of every benchmark module's run(), in file-name order."""
    found = []
    for path in sorted(Path(__file__).parent.glob("bench_*.py")):
        found += importlib.import_module(f"benchmarks.{path.stem}").run()
    return found


def table(found: list[dict]) -> str:
    """The rows as aligned text columns."""
    cells = [COLUMNS] + [tuple(("yes" if row["ok"] else "NO") if c == "ok" else str(row[c]) for c in COLUMNS)
                         for row in found]
    widths = [max(len(cell[i]) for cell in cells) for i in range(len(COLUMNS))]
    return "\n".join("  ".join(text.ljust(width) for text, width in zip(cell, widths)).rstrip() for cell in cells)


def main() -> int:
    """Print the table; exit code 1 if any row misses its target."""
    found = rows()
    print(table(found))
    return 0 if all(row["ok"] for row in found) else 1


if __name__ == "__main__":
    sys.exit(main())
