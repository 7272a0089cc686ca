"""deploy/hub/'s Python files are scripts the hub installs beside its config, not a package: the
tests load one by its file name."""
from __future__ import annotations

import importlib.util
from pathlib import Path

HUB = Path(__file__).resolve().parents[2] / "deploy" / "hub"


def hub_module(name: str):
    """A fresh copy of deploy/hub/NAME.py as a module."""
    spec = importlib.util.spec_from_file_location(name, HUB / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
