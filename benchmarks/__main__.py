"""Run every benchmarks/bench_*.py and print its rows as one table: `python -m benchmarks [--only NAME]`."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from pathlib import Path

HEADINGS = ("benchmark", "measured", "target", "result")


def modules(only: str | None = None) -> list[str]:
    """Names of the benchmark modules (bench_*.py beside this file), or just the one called ``only``."""
    names = [path.stem for path in sorted(Path(__file__).parent.glob("bench_*.py"))]
    if only is None:
        return names
    wanted = only if only.startswith("bench_") else f"bench_{only}"
    if wanted not in names:
        choices = ", ".join(name.removeprefix("bench_") for name in names)
        raise SystemExit(f"no benchmark {only!r}; there are: {choices}")
    return [wanted]


def rows_of(name: str) -> list[dict]:
    """The rows of one module's run(); a module that fails gives one failing row saying why."""
    started = time.perf_counter()
    print(f"running {name} ...", file=sys.stderr, flush=True)
    try:
        found = importlib.import_module(f"benchmarks.{name}").run()
    except Exception as exc:  # one broken module must not hide the others' results
        traceback.print_exc()
        found = [{"name": f"{name} did not finish", "measured": f"{type(exc).__name__}: {exc}",
                  "target": "runs to the end", "ok": False}]
    print(f"  {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return found


def _result(ok: bool | None) -> str:
    """PASS or FAIL for a target, info for a figure that has none."""
    return "info" if ok is None else "PASS" if ok else "FAIL"


def table(found: list[dict]) -> str:
    """The rows as aligned plain-text columns, PASS or FAIL last."""
    cells = [HEADINGS] + [(str(r["name"]), str(r["measured"]), str(r["target"]), _result(r["ok"])) for r in found]
    widths = [max(len(cell[i]) for cell in cells) for i in range(len(HEADINGS))]
    lines = ["  ".join(text.ljust(width) for text, width in zip(cell, widths, strict=True)).rstrip() for cell in cells]
    return "\n".join([lines[0], "  ".join("-" * width for width in widths), *lines[1:]])


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks, print the table; exit code 1 if any row misses its target."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--only", metavar="NAME", help="run one module, e.g. export or bench_export")
    options = parser.parse_args(argv)
    started = time.perf_counter()
    found = [found_row for name in modules(options.only) for found_row in rows_of(name)]
    print(table(found))
    targets = [r["ok"] for r in found if r["ok"] is not None]
    print(f"\n{sum(targets)} of {len(targets)} targets met in {time.perf_counter() - started:.0f} s")
    return 0 if all(targets) else 1


if __name__ == "__main__":
    sys.exit(main())
