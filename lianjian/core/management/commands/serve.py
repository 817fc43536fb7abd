"""``lianjian serve``: the web server (gunicorn) and the background-job consumer side by side.

Both run as child processes in their own process group, so a Ctrl-C (SIGINT) or SIGTERM reaches
only this command, which stops each child once, the way it stops cleanly (gunicorn on SIGTERM,
the consumer on SIGINT: both finish what they are doing), waits, and kills what is left after
``STOP_TIMEOUT`` seconds. If either child dies, the other is stopped and the command exits with
an error, so a supervisor (systemd, Docker) restarts the pair. ``--no-worker`` serves the web
alone, for deployments that run ``lianjian worker`` elsewhere.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

STOP_TIMEOUT = 20.0


class Command(BaseCommand):
    help = ("Serve the site with gunicorn and run the background-job consumer beside it; "
            "--dev uses Django's development server.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
        parser.add_argument("--dev", action="store_true", help="Django's auto-reloading development server")
        parser.add_argument("--no-worker", action="store_true",
                            help="do not start the background-job consumer (run `lianjian worker` elsewhere)")

    def handle(self, *args: Any, **options: Any) -> None:
        bind = f"{options['host']}:{options['port']}"
        # runserver's auto-reloader runs this command again in a child (RUN_MAIN=true): only the
        # first process starts the consumer.
        reloaded = os.environ.get("RUN_MAIN") == "true"
        worker = None
        if not options["no_worker"] and not reloaded:
            worker = self._spawn([sys.executable, "-m", "lianjian", "worker"])
        if options["dev"]:
            if worker is not None:
                # Ctrl-C or SIGTERM end runserver (and its reloaded child) here, then the consumer.
                for sig in (signal.SIGINT, signal.SIGTERM):
                    signal.signal(sig, _interrupt)
            try:
                call_command("runserver", bind)
            except KeyboardInterrupt:
                pass
            finally:
                if worker is not None:
                    _stop({worker: signal.SIGINT})
            return
        web = self._spawn([sys.executable, "-m", "gunicorn", "lianjian.wsgi:application", "--bind", bind,
                           "--workers", str(options["workers"]), "--access-logfile", "-", "--timeout", "60",
                           "--graceful-timeout", "10"])
        self.stdout.write(f"http://{bind}/", ending="\n")
        self.stdout.flush()
        children = {web: signal.SIGTERM}
        if worker is not None:
            children[worker] = signal.SIGINT
        code = _supervise(children)
        if code:
            raise CommandError(f"a child process exited with status {code}; both were stopped")

    def _spawn(self, argv: list[str]) -> subprocess.Popen[bytes]:
        # A new session: the terminal's Ctrl-C reaches this command only, which stops each child
        # once (a second SIGINT would cut the consumer's graceful shutdown short).
        return subprocess.Popen(argv, start_new_session=True)


def _interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def _supervise(children: dict[subprocess.Popen[bytes], signal.Signals]) -> int:
    """Wait until a signal arrives or a child exits; then stop all. Returns the exit status:
    0 after SIGINT/SIGTERM, else the status of the child that died."""
    stopping: list[int] = []

    def on_signal(signum: int, _frame: Any) -> None:
        stopping.append(signum)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stopping:
            dead = [p for p in children if p.poll() is not None]
            if dead:
                _stop(children)
                return dead[0].returncode or 1
            time.sleep(0.2)
        _stop(children)
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop(children: dict[subprocess.Popen[bytes], signal.Signals]) -> None:
    for process, how in children.items():
        if process.poll() is None:
            process.send_signal(how)
    deadline = time.monotonic() + STOP_TIMEOUT
    for process in children:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
