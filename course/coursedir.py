"""The course directory: one object that knows where everything of a course is.

Its root (the folder holding nbgrader_config.py), nbgrader's configuration of it, the folders
nbgrader's CourseDirectory names (source, release, submitted, autograded, feedback: whatever
the config sets, not hard-coded names), the gradebook URL, the course id, the instructor's keys
folder, and whether the exchange is usable. Everything else asks it, not the file system.

    course = CourseDir.at(root)            # or CourseDir.find() from the working folder
    course.folder("autograded", "02-active-listening", "alice")
    course.keys_dir, course.db_url, course.assignments()
"""
from __future__ import annotations

import functools
import os
import sys
import urllib.parse
from pathlib import Path

from .errors import CourseError  # the commands import it from here too

CONFIG_NAME = "nbgrader_config.py"
PACKAGE_PARENT = Path(__file__).resolve().parents[1]
STEPS = ("source", "release", "submitted", "autograded", "feedback")


def load_course_config(root: Path, db_url: str | None = None):
    """nbgrader's configuration for the course at `root` (its nbgrader_config.py; nbgrader's
    defaults if it has none). The course root is the one the file sets
    (`c.CourseDirectory.root`, relative to `root`), as nbgrader run in that folder would use,
    else `root`; `db_url`, if given, is forced."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = Config()
    if (Path(root) / CONFIG_NAME).is_file():
        saved_path = list(sys.path)
        try:
            config = PyFileConfigLoader(CONFIG_NAME, path=str(root)).load_config()
        finally:
            sys.path[:] = saved_path  # the config file puts its folder first on sys.path
    configured = config.CourseDirectory.get("root") if "CourseDirectory" in config else None
    if isinstance(configured, str) and configured:
        config.CourseDirectory.root = str((Path(root) / configured).resolve())
    else:
        config.CourseDirectory.root = str(Path(root).resolve())
    if db_url:
        config.CourseDirectory.db_url = db_url
    return config


class CourseDir:
    def __init__(self, root: str | os.PathLike | None = None, config=None):
        """The course at `root` (its nbgrader_config.py), or the one a running nbgrader
        application's `config` describes (its root as nbgrader resolves it)."""
        self.config = config if config is not None else load_course_config(Path(root))
        self.root = Path(self.nbgrader.root)

    @classmethod
    def at(cls, root: str | os.PathLike, db_url: str | None = None) -> "CourseDir":
        return cls(root, load_course_config(Path(root), db_url))

    @classmethod
    def readable(cls, root: str | os.PathLike) -> "CourseDir":
        """The course at `root`, or, if its config cannot be loaded, nbgrader's default layout
        there (for readers such as the class report, which name the broken config themselves)."""
        try:
            return cls.at(root)
        except Exception:  # noqa: BLE001 - any error in the instructor's config file
            from traitlets.config import Config

            config = Config()
            config.CourseDirectory.root = str(Path(root).resolve())
            return cls(root, config)

    @classmethod
    def find(cls, start: str | os.PathLike | None = None) -> "CourseDir":
        return cls.at(find_root(start))

    @functools.cached_property
    def nbgrader(self):
        """nbgrader's own CourseDirectory for this course."""
        from nbgrader.coursedir import CourseDirectory

        return CourseDirectory(config=self.config)

    @property
    def db_url(self) -> str:
        return self.nbgrader.db_url

    @property
    def course_id(self) -> str:
        return self.nbgrader.course_id

    @property
    def keys_dir(self) -> Path:
        """The instructor's keys: `c.CoursePreprocessor.keys_dir` if set (relative to the root),
        else `<root>/keys`."""
        configured = self.config.CoursePreprocessor.get("keys_dir") if "CoursePreprocessor" in self.config else None
        return resolve_keys_dir(configured, self.root)

    @property
    def scenarios_dir(self) -> Path:
        """The course's graded scenarios (the instructor's, like the keys):
        `c.CoursePreprocessor.scenarios_dir` if set (relative to the root), else `<root>/scenarios`."""
        configured = self.config.CoursePreprocessor.get("scenarios_dir") if "CoursePreprocessor" in self.config else None
        return resolve_scenarios_dir(configured, self.root)

    @property
    def recorder_db_url(self) -> str:
        """The course recorder's store, when graded work is recorded on a class hub ("" otherwise)."""
        section = self.config.SnapshotRecordedAnswers if "SnapshotRecordedAnswers" in self.config else {}
        return str(section.get("recorder_db_url", "") or "")

    @property
    def published_scenarios_dir(self) -> Path | None:
        """Where `course release` publishes graded scenarios for the course recorder to play
        (`c.CourseRecorder.scenarios_dir`); None for a course without a recorder."""
        section = self.config.CourseRecorder if "CourseRecorder" in self.config else {}
        configured = section.get("scenarios_dir")
        return Path(configured) if configured else None

    def folder(self, step: str, assignment: str = "", student: str = "") -> Path:
        """nbgrader's folder for `step` (source, release, submitted, autograded, feedback), for one
        assignment (and student), as the config lays it out; no argument: the step's top folder."""
        if step not in STEPS:
            raise ValueError(f"unknown course folder {step!r} (one of {', '.join(STEPS)})")
        top = getattr(self.nbgrader, f"{step}_directory")
        if not assignment:
            return self.root / top
        return Path(self.nbgrader.format_path(top, student or ".", assignment))

    def shown(self, path: Path) -> str:
        """`path` as an instructor reads it in a message: relative to the root when inside it."""
        path = Path(path)
        return str(path.relative_to(self.root)) if path.is_relative_to(self.root) else str(path)

    def assignments(self) -> list[str]:
        """Assignments with a notebook in the source folder."""
        source = self.folder("source")
        if not source.is_dir():
            return []
        return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))

    def released(self) -> list[str]:
        """Assignments with a student version (a notebook in the release folder)."""
        release = self.folder("release")
        if not release.is_dir():
            return []
        return sorted(p.name for p in release.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))

    def require_assignment(self, name: str) -> str:
        """`name` if its source folder holds a notebook, else a CourseError naming it and the known ones."""
        known = self.assignments()
        if name not in known:
            raise CourseError(f"unknown assignment {name!r}: no notebook in {self.folder('source', name)}/ "
                              f"(known: {', '.join(known) or 'none'})")
        return name

    def exchange_problem(self) -> str | None:
        """Why this course's exchange cannot be used, or None when it can."""
        from nbgrader.apps import NbGraderAPI

        return exchange_problem(NbGraderAPI(config=self.config))


def resolve_course_folder(configured: str | None, root: Path, default: str) -> Path:
    """An instructor's folder of the course: `configured` (relative to the course root, as
    nbgrader's own folders are), else `<root>/<default>`; the same wherever a grader runs from."""
    if not configured:
        return Path(root) / default
    path = Path(configured).expanduser()
    return path if path.is_absolute() else Path(root) / path


def resolve_keys_dir(configured: str | None, root: Path) -> Path:
    return resolve_course_folder(configured, root, "keys")


def resolve_scenarios_dir(configured: str | None, root: Path) -> Path:
    return resolve_course_folder(configured, root, "scenarios")


def exchange_problem(api) -> str | None:
    """Why the exchange of nbgrader's API `api` cannot be used (one sentence naming it), or None."""
    if api.exchange_is_functional:
        return None
    return f"the exchange {api.exchange_root or '(none)'} is not usable: check Exchange.root / COURSE_EXCHANGE"


def find_root(start: str | os.PathLike | None = None) -> Path:
    """The course directory: from `start` upwards, the first folder whose nbgrader_config.py
    names a source folder that exists (`source/` unless the config says otherwise; a student's
    folder made by `course start` has a config and no source), else the repository the
    installed package came from."""
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file() and _has_source(folder):
            return folder
    if (PACKAGE_PARENT / CONFIG_NAME).is_file():
        return PACKAGE_PARENT
    raise CourseError(f"no course directory (a folder with {CONFIG_NAME} and its source folder) at or above {here}")


def _has_source(folder: Path) -> bool:
    if (folder / "source").is_dir():
        return True
    try:
        return CourseDir.at(folder).folder("source").is_dir()
    except Exception:  # noqa: BLE001 - a config that cannot be loaded is not a course to work in
        return False


# ---- the gradebook URL ------------------------------------------------------------------

def is_sqlite(db_url: str) -> bool:
    from sqlalchemy.engine import make_url

    return make_url(db_url).get_backend_name() == "sqlite"


def sqlite_file(db_url: str, root: Path | None = None) -> Path | None:
    """The file of a SQLite gradebook URL (a relative one from `root`); None for another
    database or an in-memory one."""
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    path = Path(url.database)
    return path if path.is_absolute() or root is None else Path(root) / path


def read_only_url(db_url: str, root: Path, missing: str = "as_is") -> str:
    """The URL to read the gradebook without writing it: a SQLite file read-only (mode=ro);
    any other database as given. A SQLite file that does not exist yet: `missing="empty"`
    gives an empty in-memory gradebook (nothing is created), else the URL as for an existing file."""
    path = sqlite_file(db_url, root)
    if path is None:
        return db_url
    if missing == "empty" and not path.is_file():
        return "sqlite://"
    return f"sqlite:///file:{urllib.parse.quote(str(path.resolve()))}?mode=ro&uri=true"
