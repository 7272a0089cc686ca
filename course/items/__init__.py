"""Exercise items as data: what each kind of item is (kinds.py) and the definitions of a
lesson's items, built with the lesson and shipped beside its notebook (definitions.py)."""
from .definitions import ItemDefinitionError, items_path, lesson_definitions, load_definitions
from .kinds import KINDS, ItemKind, kind_of

__all__ = ["KINDS", "ItemDefinitionError", "ItemKind", "items_path", "kind_of", "lesson_definitions", "load_definitions"]
