"""Students' kernels talk to their server over Unix sockets, not TCP ports on 127.0.0.1.

Why: a Jupyter server chooses its kernels' five TCP ports by asking the system for a free port,
closing it, and starting the kernel, which binds it a second or two later. With a class starting
at once, another server's kernel, or any of the hundreds of loopback connections the hub and the
proxy open, takes the port in between: `bench/hub_load.py` saw "ZMQError: Address already in use"
in 12 of 30 students' first kernels, and 2 of 30 students got no kernel at all. ZeroMQ's `ipc`
transport needs no port: each kernel's sockets are files beside its connection file, in a folder
only its student can open (mode 700), so no other user can race for them, or even reach them.

The sockets' folder is short on purpose (`/run/course-hub-NAME/UID`, NAME the prefix folder's): a Unix socket's path holds
at most 107 bytes and jupyter_client names a kernel's sockets `kernel-<uuid>-ipc-<n>`, so a folder
in a home such as /home/<a 32-character user name>/.local/share/jupyter/runtime would not fit.

Only students' servers are switched: the instructor's server and the grading services keep TCP,
because `course autograde` starts kernels of its own (in the sandbox, too) from those servers.
The hub (root) calls `prepare()` from the spawner's pre-spawn hook, before the server starts.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

RUN = Path("/run")
SOCKET_PATH_MAX = 107                                     # sun_path is 108 bytes, with its NUL
LONGEST_SOCKET_NAME = len("kernel-") + 36 + len("-ipc-") + 1  # jupyter_client: kernel-<uuid>-ipc-<1..5>
TRANSPORT_ARG = "--KernelManager.transport=ipc"


def sockets_dir(hub_group: str, uid: int, run: Path = RUN) -> Path:
    """Where the kernels of the user `uid` put their connection files and sockets (`hub_group`:
    the hub's own name, `course-hub-<prefix folder>`, as its cgroups are named)."""
    return run / hub_group / str(uid)


def check_length(folder: Path) -> None:
    longest = len(os.fsencode(folder)) + 1 + LONGEST_SOCKET_NAME
    if longest > SOCKET_PATH_MAX:
        raise ValueError(f"kernel sockets in {folder} would have paths of {longest} bytes, over the "
                         f"{SOCKET_PATH_MAX} a Unix socket allows: choose a shorter --prefix folder name")


def prepare(hub_group: str, uid: int, gid: int, run: Path = RUN) -> Path:
    """Make the user's sockets folder (root's parent 755, the user's own folder 700) and return it.

    Runs as root in the hub. /run is root's alone, so nothing a student does can put a link in the
    way; a folder that is there already is checked, never followed, and given back to its user."""
    folder = sockets_dir(hub_group, uid, run)
    check_length(folder)
    parent = folder.parent
    parent.mkdir(mode=0o755, exist_ok=True)
    _require_plain_dir(os.lstat(parent), parent, owner=0)
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        pass            # checked below, through what is really there
    # Changed through a descriptor of what was opened (never by name, never through a link), as the
    # sealing service changes submissions.
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:     # a link or a file in the folder's place: say what is there
        _require_plain_dir(os.lstat(folder), folder, owner=uid)
        raise
    try:
        _require_plain_dir(os.fstat(fd), folder, owner=uid)
        os.fchown(fd, uid, gid)
        os.fchmod(fd, 0o700)
    finally:
        os.close(fd)
    return folder


def server_settings(folder: Path, args: list[str]) -> tuple[dict[str, str], list[str]]:
    """The environment and arguments that put a server's kernels on ipc sockets in `folder`."""
    return {"JUPYTER_RUNTIME_DIR": str(folder)}, [*(a for a in args if a != TRANSPORT_ARG), TRANSPORT_ARG]


def _require_plain_dir(info: os.stat_result, path: Path, owner: int) -> None:
    if not stat.S_ISDIR(info.st_mode) or info.st_uid not in (owner, 0):
        raise RuntimeError(f"{path}: expected a folder of uid {owner}; found mode {oct(info.st_mode)}, "
                           f"uid {info.st_uid}. Remove it (remove.sh does) and start the server again")


if __name__ == "__main__":  # start.sh: `python kernel_sockets.py HUB_GROUP` checks the path fits, before any user exists
    import sys
    try:
        check_length(sockets_dir(sys.argv[1], 4294967294))   # the longest uid
    except ValueError as error:
        sys.exit(f"start.sh: {error}")
