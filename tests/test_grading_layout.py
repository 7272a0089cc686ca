"""course/grading/ is laid out by phase: every module imports, and the modules a grading worker
loads before it forks are where it looks for them."""
from __future__ import annotations

import importlib
import pkgutil

import pytest

import course.grading

MODULES = sorted(m.name for m in pkgutil.walk_packages(course.grading.__path__, "course.grading."))


@pytest.mark.parametrize("name", MODULES)
def test_every_grading_module_imports(name):
    importlib.import_module(name)


def test_a_worker_preloads_the_grading_modules():
    from course.grading.parallel.worker import _import_grading_modules

    _import_grading_modules()
