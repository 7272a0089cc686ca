"""Students' kernels on Unix sockets (issue 23, a class at size): deploy/hub/kernel_sockets.py makes
each student's sockets folder (root's parent, the student's own folder, 700) without following a
link, refuses a prefix whose socket paths would not fit, and gives the server the settings for it.
That a student's kernel really runs on ipc on a hub is checked in tests/browser/test_hub.py; the
collisions it removes are measured by bench/hub_load.py."""
from __future__ import annotations

import os
import secrets
import shutil
import stat
from pathlib import Path

import pytest

from tests.support.hub import hub_module

sockets = hub_module("kernel_sockets")
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another user needs root")


@pytest.fixture
def run():
    """A stand-in for /run with a short path (pytest's tmp_path is too long for a socket's)."""
    folder = Path(f"/var/tmp/ks-{secrets.token_hex(3)}")
    folder.mkdir()
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@as_root
def test_a_students_folder_is_theirs_alone_under_a_parent_of_roots(run):
    folder = sockets.prepare("course-hub-x", 4242, 4343, run=run)
    assert folder == run / "course-hub-x" / "4242"
    info, parent = os.lstat(folder), os.lstat(folder.parent)
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (4242, 4343, 0o700)
    assert (parent.st_uid, stat.S_IMODE(parent.st_mode)) == (0, 0o755)
    # again (a second server start): the same folder, still the student's
    assert sockets.prepare("course-hub-x", 4242, 4343, run=run) == folder
    assert os.lstat(folder).st_uid == 4242


@as_root
def test_a_link_in_the_folders_place_is_refused_and_never_followed(run):
    victim = run / "victim"
    victim.mkdir(mode=0o755)
    (run / "course-hub-x").mkdir()
    (run / "course-hub-x" / "4242").symlink_to(victim)
    with pytest.raises(RuntimeError, match=r"4242: expected a folder of uid 4242"):
        sockets.prepare("course-hub-x", 4242, 4242, run=run)
    assert os.lstat(victim).st_uid == 0 and stat.S_IMODE(os.lstat(victim).st_mode) == 0o755


@as_root
def test_another_users_folder_is_refused(run):
    (run / "course-hub-x" / "4242").mkdir(parents=True)
    os.chown(run / "course-hub-x" / "4242", 5151, 5151)
    with pytest.raises(RuntimeError, match="found mode .* uid 5151"):
        sockets.prepare("course-hub-x", 4242, 4242, run=run)


def test_socket_paths_that_would_not_fit_are_refused_with_the_remedy():
    sockets.check_length(sockets.sockets_dir("course-hub-course-hub", 4294967294))
    with pytest.raises(ValueError, match=r"over the 107 a Unix socket allows: choose a shorter --prefix"):
        sockets.check_length(sockets.sockets_dir("course-hub-" + "x" * 60, 1000))


def test_the_server_gets_the_folder_and_ipc_once(tmp_path):
    env, args = sockets.server_settings(tmp_path, ["--debug"])
    assert env == {"JUPYTER_RUNTIME_DIR": str(tmp_path)}
    assert args == ["--debug", "--KernelManager.transport=ipc"]
    assert sockets.server_settings(tmp_path, args)[1] == args     # a second spawn adds nothing
