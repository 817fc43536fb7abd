"""``lianjian serve`` runs gunicorn and the job consumer together and stops both on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_serve_starts_web_and_worker_and_stops_both(tmp_path, stop):
    port = free_port()
    env = {**os.environ, "LIANJIAN_VAR_DIR": str(tmp_path), "LIANJIAN_QUEUE_IMMEDIATE": "0"}
    env.pop("DATABASE_URL", None)
    serve = subprocess.Popen([sys.executable, "-m", "lianjian", "serve", "--port", str(port), "--workers", "1"],
                             cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline, healthy = time.monotonic() + 60, False
        while time.monotonic() < deadline and not healthy:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    healthy = response.status == 200
            except (TimeoutError, OSError):
                time.sleep(0.3)
        assert healthy, "the web server never answered /healthz"
        children = children_of(serve.pid)
        commands = [cmdline(pid) for pid in children]
        assert any("gunicorn" in c for c in commands) and any("lianjian worker" in c for c in commands), commands
        descendants = children + [g for pid in children for g in children_of(pid)]  # gunicorn's workers
        started = time.monotonic()
        serve.send_signal(stop)
        assert serve.wait(timeout=30) == 0
        assert time.monotonic() - started < 25
        assert not [pid for pid in descendants if alive(pid)]
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()


def test_serve_stops_the_web_server_when_the_worker_dies(tmp_path):
    port = free_port()
    env = {**os.environ, "LIANJIAN_VAR_DIR": str(tmp_path), "LIANJIAN_QUEUE_IMMEDIATE": "0"}
    env.pop("DATABASE_URL", None)
    serve = subprocess.Popen([sys.executable, "-m", "lianjian", "serve", "--port", str(port), "--workers", "1"],
                             cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline, worker = time.monotonic() + 60, None
        while time.monotonic() < deadline and worker is None:
            worker = next((p for p in children_of(serve.pid) if "lianjian worker" in cmdline(p)), None)
            time.sleep(0.2)
        assert worker is not None
        time.sleep(1)
        web = [p for p in children_of(serve.pid) if "gunicorn" in cmdline(p)]
        os.kill(worker, signal.SIGKILL)
        assert serve.wait(timeout=30) != 0
        assert not [p for p in web if alive(p)]
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
