"""How reliable the blind sets' labels are, beside how far the recogniser reaches them (issue 27).

    python bench/marker_agreement.py              # every set with a second marking
    python bench/marker_agreement.py blind-27     # one set

For each blind set with a second marking (content/listening-blind/second-marks/), and pooled over
them, per label the marker was asked about: F1 of the writer's labels against the second marker's
(label reliability: the most any recogniser can be shown to reach), of the recogniser against the
writer (the figure the other benchmarks report) and against the second marker, and of the recogniser
against the writer on the replies where writer and marker agree on that label (what is left once
the markers' disputes are set aside). Recognising a set takes some twenty seconds.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course.listening.agreement import (Agreement, agreement, load_second_marking,  # noqa: E402
                                        second_marks_file)
from course.listening.recognise import recognise  # noqa: E402

COLUMNS = ("writer-marker", "recogniser-writer", "recogniser-marker", "recogniser-writer where they agree")


def compare(set_name: str) -> dict[str, list[Agreement]]:
    """Per column, per label, the agreement counts on one set."""
    marking, corpus = load_second_marking(second_marks_file(set_name))
    ids = [reply.id for reply in corpus.replies]
    writer = {reply.id: reply.labels for reply in corpus.replies}
    marker = marking.marks
    recogniser = {reply.id: recognise(corpus.statement_of(reply), reply.text, corpus.setting_of(reply)).labels
                  for reply in corpus.replies}
    agreed = {label: [i for i in ids if (label in writer[i]) == (label in marker[i])] for label in marking.labels}
    return {
        COLUMNS[0]: agreement(writer, marker, marking.labels, ids),
        COLUMNS[1]: agreement(writer, recogniser, marking.labels, ids),
        COLUMNS[2]: agreement(marker, recogniser, marking.labels, ids),
        COLUMNS[3]: [agreement(writer, recogniser, (label,), agreed[label])[0] for label in marking.labels],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", help="blind sets, e.g. blind-27 (default: every set with a second marking)")
    args = parser.parse_args(argv)
    folder = second_marks_file("blind-3.yaml").parent
    names = [f"{name.removesuffix('.yaml')}.yaml" for name in args.sets] or sorted(
        (path.name for path in folder.glob("blind-*.yaml")), key=lambda name: int(name[6:-5]))
    pooled: dict[tuple[str, str], Agreement] = {}
    print("| set | " + " | ".join(f"arguing: {column}" for column in COLUMNS) + " |")
    print("|---|" + "---:|" * len(COLUMNS))
    for name in names:
        table = compare(name)
        for column, rows in table.items():
            for row in rows:
                key = (column, row.label)
                pooled[key] = pooled[key] + row if key in pooled else row
        arguing = {column: next((row.f1 for row in rows if row.label == "arguing"), float("nan")) for column, rows in table.items()}
        print(f"| {name.removesuffix('.yaml')} | " + " | ".join(f"{arguing[column]:.2f}" for column in COLUMNS) + " |", flush=True)
    print(f"\nPooled over {len(names)} set(s): F1 per label (counts summed over the sets)\n")
    print("| label | " + " | ".join(COLUMNS) + " |")
    print("|---|" + "---:|" * len(COLUMNS))
    for label in dict.fromkeys(label for _, label in pooled):
        print(f"| {label} | " + " | ".join(f"{pooled[(column, label)].f1:.3f}" for column in COLUMNS) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
