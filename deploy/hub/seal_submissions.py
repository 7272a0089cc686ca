#!/usr/bin/env python3
"""Seal each submission in nbgrader's inbound (run by JupyterHub as a root service).

nbgrader's `submit` leaves every submission folder mode 777 with 644 files, so a student who
learns a classmate's folder name can read it and add files to it (and `collect` copies them).
This watches the inbound folder and, once a submission is complete (nbgrader wrote its
timestamp.txt and submission_secret.txt and made the folder 777, its last step), gives the
folder and everything in it to the instructor, mode 700 (folders) / 600 (files). A folder not
owned by the student its name starts with (someone dropping a folder in a classmate's name),
or anything that is not a plain folder, is moved to a root-only quarantine beside inbound.

    seal_submissions.py --inbound /srv/nbgrader/exchange/COURSE/inbound --owner INSTRUCTOR [--once]
"""
from __future__ import annotations

import argparse
import os
import pwd
import stat
import sys
import time

SEALED_MODE = 0o700


def log(message: str) -> None:
    print(f"[seal-submissions] {message}", file=sys.stderr, flush=True)


def seal(path: str, uid: int, gid: int) -> None:
    for folder, dirs, files in os.walk(path, topdown=False, followlinks=False):
        for name in files + dirs:
            item = os.path.join(folder, name)
            st = os.lstat(item)
            if stat.S_ISLNK(st.st_mode):
                os.unlink(item)  # collect refuses links anyway; never follow one as root
                continue
            os.lchown(item, uid, gid)
            os.chmod(item, 0o700 if stat.S_ISDIR(st.st_mode) else 0o600)
    os.lchown(path, uid, gid)
    os.chmod(path, SEALED_MODE)


def quarantine(inbound: str, name: str, why: str) -> None:
    target_dir = os.path.join(os.path.dirname(inbound), "quarantine")
    os.makedirs(target_dir, mode=0o700, exist_ok=True)
    os.chmod(target_dir, 0o700)
    target = os.path.join(target_dir, f"{name}.{int(time.time() * 1000)}")
    os.rename(os.path.join(inbound, name), target)
    log(f"quarantined {name}: {why} -> {target}")


def complete(path: str, st: os.stat_result) -> bool:
    """nbgrader's submit makes the folder 777 as its last step, after writing both files."""
    return (stat.S_IMODE(st.st_mode) == 0o777
            and os.path.isfile(os.path.join(path, "timestamp.txt"))
            and os.path.isfile(os.path.join(path, "submission_secret.txt")))


def scan(inbound: str, uid: int, gid: int, first_seen: dict[str, float], grace: float = 300.0) -> int:
    sealed = 0
    try:
        names = os.listdir(inbound)
    except FileNotFoundError:
        return 0
    now = time.monotonic()
    for name in names:
        path = os.path.join(inbound, name)
        try:
            st = os.lstat(path)
            if st.st_uid == uid and stat.S_IMODE(st.st_mode) == SEALED_MODE and stat.S_ISDIR(st.st_mode):
                continue  # sealed already
            if not stat.S_ISDIR(st.st_mode):
                quarantine(inbound, name, "not a folder")
                continue
            student = name.split("+", 1)[0]
            try:
                owner = pwd.getpwnam(student).pw_uid
            except KeyError:
                owner = None
            if owner is None or st.st_uid != owner:
                quarantine(inbound, name, f"owned by uid {st.st_uid}, not by student {student!r}")
                continue
            if complete(path, st):
                seal(path, uid, gid)
                sealed += 1
                first_seen.pop(name, None)
                log(f"sealed {name}")
            elif now - first_seen.setdefault(name, now) > grace:
                # a submit that died half-way: seal what is there, so nobody else can add to it
                seal(path, uid, gid)
                first_seen.pop(name, None)
                log(f"sealed incomplete {name} after {grace:.0f} s")
        except FileNotFoundError:
            continue  # removed meanwhile
        except OSError as exc:
            log(f"{name}: {exc}")
    return sealed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inbound", required=True)
    parser.add_argument("--owner", required=True, help="the instructor's Unix user")
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--once", action="store_true", help="one pass, then exit")
    args = parser.parse_args(argv)
    owner = pwd.getpwnam(args.owner)
    first_seen: dict[str, float] = {}
    log(f"watching {args.inbound} (sealed for {args.owner})")
    while True:
        scan(args.inbound, owner.pw_uid, owner.pw_gid, first_seen)
        if args.once:
            return 0
        time.sleep(args.interval)


if __name__ == "__main__":
    sys.exit(main())
