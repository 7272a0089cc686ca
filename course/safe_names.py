"""The one rule for a student id (and a file name) the course accepts from outside.

Student ids arrive from places a student can write: an LMS archive's entry names, the
exchange's inbound folder names. They become folder names (`submitted/<id>/`), gradebook
keys, CSV cells and HTML text, so one rule, checked where they enter: letters (any
script), digits and `._@-`, no leading dot or dash (no `..`, no hidden folder, no option
or formula), at most 64 characters.
"""
from __future__ import annotations

import re

MAX_ID_LENGTH = 64
# \w: Unicode letters, digits and underscore (accented names are ids too).
_SAFE_ID = re.compile(r"\w[\w.@-]*")


def is_safe_id(value: object) -> bool:
    """True for a student id the course may use as a folder name and print anywhere."""
    return (isinstance(value, str) and 0 < len(value) <= MAX_ID_LENGTH and _SAFE_ID.fullmatch(value) is not None
            and value.isprintable())


def shown(value: object, limit: int = 80) -> str:
    """`value` as it may be printed in a message: a Python repr (newlines, controls and
    right-to-left marks escaped, quotes around it), cut to `limit` characters."""
    text = ascii(value) if isinstance(value, str) else ascii(str(value))
    return text if len(text) <= limit else text[: limit - 4] + "...'"
