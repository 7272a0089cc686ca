"""`course start`: copy the released lessons into a working folder and open JupyterLab there.

Working a lesson must never change release/, so the student works on copies. Copies
are made once: lessons already in the working folder are left alone, so a student's
answers and notes are never overwritten.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .coursedir import CourseError, find_root

DEFAULT_WORKDIR = Path.home() / "negotiation-course"


def copy_release(release: Path, workdir: Path) -> tuple[list[str], list[str]]:
    if not release.is_dir() or not any(release.iterdir()):
        raise CourseError(f"{release}: no released lessons to copy (run `course generate` first)")
    workdir.mkdir(parents=True, exist_ok=True)
    copied, kept = [], []
    for lesson in sorted(p for p in release.iterdir() if p.is_dir()):
        target = workdir / lesson.name
        if target.exists():
            kept.append(lesson.name)
        else:
            shutil.copytree(lesson, target)
            copied.append(lesson.name)
    return copied, kept


def lab_command(workdir: Path, port: int | None, open_browser: bool) -> list[str]:
    command = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={workdir}"]
    if port:
        command.append(f"--ServerApp.port={port}")
    if not open_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI run as root
    return command


def run(args) -> int:
    root = find_root()
    workdir = Path(args.dir).expanduser().resolve()
    copied, kept = copy_release(root / "release", workdir)
    for name in copied:
        print(f"copied lesson {name} -> {workdir / name}")
    for name in kept:
        print(f"kept your existing {workdir / name} (not overwritten)")
    if args.no_lab:
        return 0
    print(f"Opening JupyterLab in {workdir}. Open a lesson folder, then its notebook. Stop with Ctrl+C.")
    return subprocess.call(lab_command(workdir, args.port, not args.no_browser))


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "start", help="copy the released lessons into your working folder and open JupyterLab",
        description=__doc__)
    parser.add_argument("--dir", default=str(DEFAULT_WORKDIR), help=f"working folder (default {DEFAULT_WORKDIR})")
    parser.add_argument("--port", type=int, default=None, help="port for JupyterLab")
    parser.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    parser.add_argument("--no-lab", action="store_true", help="only copy the lessons; do not start JupyterLab")
    parser.set_defaults(func=run)
