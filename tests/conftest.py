"""Shared fixtures: a throwaway copy of the course directory, so tests never touch the repo's
source/, release/ or gradebook."""
from __future__ import annotations

from pathlib import Path

import pytest

from support import REPO, copy_course  # noqa: F401 - shared helpers live in tests/support
from support.classes import SETTINGS_FROM_ENV, SubmittedClass


# Fixtures that start real kernels: a test that uses one is in the e2e tier whatever its marks say,
# so forgetting `pytestmark = pytest.mark.e2e` can never slow down the fast loop.
KERNEL_FIXTURES = frozenset({"the_class"})


def pytest_collection_modifyitems(config, items):
    for item in items:
        if KERNEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def course_copy(tmp_path) -> Path:
    return copy_course(tmp_path / "course")


@pytest.fixture(autouse=True)
def _isolate_nbgrader_env(monkeypatch):
    # The repo's own settings must not leak into a test's course copy.
    for name in SETTINGS_FROM_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def the_class(tmp_path_factory) -> SubmittedClass:
    """Each lesson a test asks for is released, fetched, answered in a real kernel and submitted
    by its roster once per run (tests/support/classes.py); tests work on clones of it."""
    return SubmittedClass(tmp_path_factory.mktemp("class"))


@pytest.fixture(scope="session", autouse=True)
def _alembic_head_asked_once():
    """nbgrader asks the `alembic` command for the schema's head revision (a subprocess of about
    two seconds) every time it creates a gradebook; the answer cannot change during a run, so
    in this process it is asked once and remembered. Gradebooks are still created by nbgrader."""
    import functools

    import nbgrader.api

    asked = nbgrader.api.get_alembic_version
    nbgrader.api.get_alembic_version = functools.lru_cache(maxsize=1)(asked)
    yield
    nbgrader.api.get_alembic_version = asked
