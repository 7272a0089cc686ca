"""The order a student sees an item's options in: shuffled per student, stable for that student.

Why: with options in the author's order, position itself answers questions (a recommended
scenario choice listed first at every decision, keys that are mostly (b)). So every option list a
student chooses from (single and multiple choice, classify menus, a package's options and
reasons, a scenario's choices) is shown in an order drawn from the student's identity and the
item: two students see different orders, one student sees the same order on every reload, after
a kernel restart and on another day.

Grading never depends on it: a widget's value is the author's option id (the letter in the key),
never a position, and the grader reads only that. The order is a pure function of
(identity, item, option ids), so the simulator can compute what a student was shown without a
kernel, and it does not use Python's `random`, whose algorithms may change between versions.

The identity is, in this order: COURSE_STUDENT_ID (set by the course's own tools, e.g. the
simulated class), JUPYTERHUB_USER (the hub's user, set by its spawner), the OS user name (what
nbgrader takes as the student id without a hub). Any of them is fine: it only decides the order.
"""
from __future__ import annotations

import getpass
import hashlib
import os
from collections.abc import Iterable

IDENTITY_VARIABLES = ("COURSE_STUDENT_ID", "JUPYTERHUB_USER")


def student_identity(environ: dict | None = None) -> str:
    """Who the order is drawn for (see the module docstring)."""
    environ = os.environ if environ is None else environ
    for name in IDENTITY_VARIABLES:
        value = (environ.get(name) or "").strip()
        if value:
            return value
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name (some containers): one shared order
        return "student"


def display_order(option_ids: Iterable[str], item: str, identity: str) -> list[str]:
    """`option_ids` in the order `identity` sees them for `item` (e.g. "al-g3", or
    "mhc-g:approach" for one decision of a scenario). A permutation of the ids, nothing more."""
    ids = list(option_ids)

    def rank(option: str) -> bytes:
        return hashlib.sha256(f"{identity}\x1f{item}\x1f{option}".encode("utf-8")).digest()

    return sorted(ids, key=rank)


def order_for(option_ids: Iterable[str], identity: str, item_id: str, part: str = "") -> list[str]:
    """The order of one list of an item: `part` tells apart two lists of one item (a package's
    "options" and "reasons", a scenario's `decision(node)`). The widgets and the simulator both
    call this, so they name the lists alike."""
    return display_order(option_ids, f"{item_id}:{part}" if part else item_id, identity)


def decision(node_id: str) -> str:
    """The part naming one decision of a scenario: its choices have an order of their own."""
    return f"decision:{node_id}"


def shown_as(option_ids: Iterable[str], item: str, identity: str) -> dict[str, int]:
    """{option id: its position as shown, from 1}: for feedback that names both."""
    return {option: number for number, option in enumerate(display_order(option_ids, item, identity), start=1)}
