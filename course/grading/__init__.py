"""The course's grading, laid out by phase (nbgrader runs them in this order):

- `intake/`: what is taken from a submission and whether it can be trusted: collect from the
  exchange, mend the submission folder, copied graded cells, the metadata check, the
  instructor's source and key (`trusted.py`), values out of the kernel as plain data;
- `run/`: running the student's code (sandboxed kernel, limits) and checking code exercises in
  a trusted process (`code_checks.py`, `check_server.py`);
- `score/`: answer keys and one scorer per item kind, the plan of how each graded cell is
  scored, and the review flags;
- `feedback/`: what the student and the report read: rendered item results, the grading file,
  the feedback pages with hidden tests removed and student text made inert.

`steps.py` holds the steps nbgrader_config.py names, in pipeline order, as thin adapters over the
phases; what one step hands to a later one is in `state.py`. `parallel/` is `course autograde`.
The modules left at the top under the old names (preprocessors.py, review.py, sandbox.py, ...)
only re-export steps under names existing configurations use.
"""
