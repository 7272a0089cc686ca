"""Benchmark the synthetic data generators: generation time and memory.

Run from the repository root:  python bench/data_generators.py [--repeat N]

Prints, for each generator at its default size: rows, columns, best and median
wall time over N runs, the DataFrame's deep memory usage, and the peak Python
memory allocated while generating (tracemalloc; numpy buffers are counted).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from course.data import load_calls, load_trust_survey, make_calls  # noqa: E402


def bench(name, fn, repeat):
    fn()  # warm-up (imports, caches)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        frame = fn()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    frame = fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    mem = frame.memory_usage(deep=True).sum()
    print(f"{name:<28} rows={len(frame):>7,} cols={frame.shape[1]:>2} "
          f"best={min(times) * 1000:7.1f} ms  median={statistics.median(times) * 1000:7.1f} ms  "
          f"df_memory={mem / 2**20:6.2f} MiB  peak_alloc={peak / 2**20:6.2f} MiB")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)
    import numpy
    import pandas
    print(f"python {sys.version.split()[0]}, pandas {pandas.__version__}, numpy {numpy.__version__}, "
          f"repeat={args.repeat}")
    bench("load_calls() [12,000]", load_calls, args.repeat)
    bench("make_calls(n_calls=120,000)", lambda: make_calls(n_calls=120_000), max(3, args.repeat // 3))
    bench("load_trust_survey() [500]", load_trust_survey, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
