#!/usr/bin/env python3
"""Measure memory per student on a running class hub (deploy/hub/start.sh), as root (or with sudo).

Logs each student in through the hub's form in a headless Chromium (their server starts),
starts a kernel in each that imports the course, ipywidgets and pandas, as a lesson does,
then sums the resident memory (ps RSS) and, where smem is installed, PSS per Unix user.

    python3 deploy/hub/measure_memory.py --url https://127.0.0.1:8000 \
        --passwords /opt/course-hub/passwords.csv --students alice,bob,carol
Needs Python Playwright and Debian's chromium.
"""
from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import time

LESSON_IMPORTS = "import course, ipywidgets, pandas, matplotlib; from course import lesson as _l"


def rss_mb(user: str) -> float:
    out = subprocess.run(["ps", "-o", "rss=", "-u", user], capture_output=True, text=True).stdout.split()
    return sum(int(x) for x in out) / 1024


def pss_mb(user: str) -> float | None:
    if not shutil.which("smem"):
        return None
    out = subprocess.run(["smem", "-u", "-c", "user pss", "-H"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] == user:
            return int(parts[1]) / 1024
    return None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--passwords", required=True)
    parser.add_argument("--students", required=True)
    args = parser.parse_args()
    passwords = {row["user"]: row["password"] for row in csv.DictReader(open(args.passwords))}
    students = args.students.split(",")
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                          "--disable-component-update", "--disable-sync", "--no-first-run"])
        t0 = time.monotonic()
        for user in students:
            context = browser.new_context(ignore_https_errors=True)  # a self-signed --tls-cert
            page = context.new_page()
            page.goto(f"{args.url}/hub/login")
            page.locator("#username_input").fill(user)
            page.locator("#password_input").fill(passwords[user])
            page.locator("#login_submit").click()
            page.wait_for_url(f"**/user/{user}/lab**", timeout=180_000)
            page.locator("#jp-main-statusbar").wait_for(timeout=180_000)
            results[user] = {"server_rss_mb": round(rss_mb(user), 1)}
            # a kernel that loads what a lesson loads
            page.evaluate("""async ([user, code]) => {
                const xsrf = document.cookie.split('; ').find(c => c.startsWith('_xsrf='))?.split('=')[1];
                const r = await fetch(`/user/${user}/api/kernels`, {method: 'POST',
                    headers: {'X-XSRFToken': decodeURIComponent(xsrf || ''), 'Content-Type': 'application/json'},
                    body: JSON.stringify({name: 'python3'})});
                const k = await r.json();
                await new Promise((resolve, reject) => {
                    const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/user/${user}/api/kernels/${k.id}/channels`);
                    const msg_id = Math.random().toString(36).slice(2);
                    ws.onopen = () => ws.send(JSON.stringify({header: {msg_id, msg_type: 'execute_request', username: user,
                        session: msg_id, version: '5.3', date: new Date().toISOString()}, parent_header: {}, metadata: {},
                        content: {code, silent: false, store_history: false, user_expressions: {}, allow_stdin: false},
                        channel: 'shell'}));
                    ws.onmessage = (e) => { const m = JSON.parse(e.data);
                        if (m.parent_header && m.parent_header.msg_id === msg_id && m.msg_type === 'execute_reply') { ws.close(); resolve(); } };
                    ws.onerror = reject; });
            }""", [user, LESSON_IMPORTS])
            results[user]["server_and_kernel_rss_mb"] = round(rss_mb(user), 1)
            results[user]["pss_mb"] = pss_mb(user)
            context.close()  # the server and kernel go on running, as when a student closes the tab
        elapsed = time.monotonic() - t0
        browser.close()
    totals = [r["server_and_kernel_rss_mb"] for r in results.values()]
    print(json.dumps({"students": len(students), "seconds_to_log_in_all": round(elapsed, 1),
                      "per_student": results,
                      "mean_server_and_kernel_rss_mb": round(sum(totals) / len(totals), 1),
                      "free_mb_after": int(subprocess.run(["free", "-m"], capture_output=True, text=True).stdout.split()[12])},
                     indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
