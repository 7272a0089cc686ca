"""Where a lesson's scenarios go when it is generated and released.

The course's scenario files are the instructor's (`scenarios/`, beside `keys/`). A lesson's
scenario item names one by id. What a student gets depends on where graded work is recorded:

- **no course recorder** (students on laptops): every scenario the lesson plays is copied into
  `source/<lesson>/scenarios/`, so nbgrader's generate step releases it with the lesson and the
  player reads it in the kernel. Graded attempts are then as trustworthy as homework.
- **a course recorder** (`c.SnapshotRecordedAnswers.recorder_db_url`, a class hub): graded
  scenarios are NOT released; they are published to the recorder's folder
  (`c.CourseRecorder.scenarios_dir`, `<lesson>/<item>.yaml`), which it plays one node at a
  time. Only practice scenarios go with the lesson.

`source/<lesson>/scenarios/` is made here: edit `scenarios/<id>.yaml`, never the copy.
A scenario item that names a YAML path (the lesson's own file) is left as the author placed it.
"""
from __future__ import annotations

from pathlib import Path

from .loader import is_scenario_file, practice_scenarios_dir, scenario_file

FOLDER = "scenarios"


def scenario_items(course, lesson: str) -> list[tuple[str, str, bool]]:
    """(item id, scenario id, graded) for each scenario item of the lesson that names a scenario by id."""
    from ..items import lesson_definitions

    found = []
    for item, spec in lesson_definitions(course.folder("source", lesson)).items():
        ref = str(spec.get("scenario", ""))
        if spec.get("kind") == "scenario" and ref and not is_scenario_file(ref):
            found.append((item, ref, bool(spec.get("graded"))))
    return found


def place_lesson_scenarios(course, lesson: str) -> list[str]:
    """Put the lesson's scenarios where its students get them (see the module's text); returns
    what was done, a line each. A scenario id the course does not have raises FileNotFoundError."""
    recorded = bool(course.recorder_db_url)
    published = course.published_scenarios_dir if recorded else None
    with_lesson: dict[str, Path] = {}
    done = []
    for item, ref, graded in scenario_items(course, lesson):
        path = scenario_file(ref, folders=[course.scenarios_dir])
        if path.parent == practice_scenarios_dir():
            continue                        # in the package every student has
        if graded and recorded:
            if published is None:
                done.append(f"{lesson}/{item}: graded scenario {ref} not published (no c.CourseRecorder.scenarios_dir): "
                            f"the recorder cannot play it")
            elif _copy_if_changed(path, published / lesson / f"{item}.yaml", mode=0o640):
                done.append(f"{lesson}/{item}: published {ref} to the course recorder")
        else:
            with_lesson[ref] = path
    for step in ("source", "release"):
        folder = course.folder(step, lesson) / FOLDER
        if step == "release" and not folder.parent.is_dir():
            continue
        for ref, path in with_lesson.items():
            if step == "source" and _copy_if_changed(path, folder / f"{ref}.yaml", mode=0o644):
                done.append(f"{lesson}: {course.shown(folder / f'{ref}.yaml')} from {course.shown(path)}")
        for stale in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            if stale.stem not in with_lesson:
                stale.unlink()
                done.append(f"{lesson}: removed {course.shown(stale)} (not released with this lesson)")
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return done


def _copy_if_changed(source: Path, target: Path, mode: int) -> bool:
    from ..recording import write_atomically

    text = source.read_text(encoding="utf-8")
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return False
    write_atomically(target, text, mode=mode)
    return True
