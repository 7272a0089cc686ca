"""`python -m course.data FOLDER [--seed N]`: write the SYNTHETIC data sets as CSV files."""
from __future__ import annotations

import argparse

from . import DEFAULT_SEED, write_csv


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course.data",
        description="Write the course's SYNTHETIC Riverton data sets (calls for service, trust survey) as CSV.",
    )
    parser.add_argument("folder", help="folder to write into (created if absent)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"generator seed (default {DEFAULT_SEED})")
    args = parser.parse_args(argv)
    for path in write_csv(args.folder, seed=args.seed):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
