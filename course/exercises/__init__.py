"""Widget exercises. Each kind is one module; all share `base.Exercise`:
an id, a mode (practice or graded), one save path (`submit`) and one click path (`click`)."""
from .base import GRADED, PRACTICE, Exercise, ExerciseError
from .classify import Classify
from .multiple import MultipleChoice
from .package import OptionPackage
from .single import SingleChoice

__all__ = ["Exercise", "ExerciseError", "PRACTICE", "GRADED", "SingleChoice", "MultipleChoice", "Classify", "OptionPackage"]
