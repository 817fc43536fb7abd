"""The hourly overdue check as a background task: through the queue in immediate mode, and once
through a real consumer (``lianjian worker``) on the queue the settings name (Redis when
REDIS_URL is set, as in CI; the SQLite file otherwise)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from huey.contrib.djhuey import HUEY

from lianjian.core.models import Activity
from lianjian.notifications.models import Notification
from lianjian.projects import services
from lianjian.projects.models import Milestone
from lianjian.projects.tasks import check_overdue
from lianjian.testing import make_world

from .factories import project

ROOT = Path(__file__).resolve().parents[3]


def overdue_milestone(world):  # type: ignore[no-untyped-def]
    p = project(world, status="in_progress")
    return services.milestone_add(actor=world.liaison, project=p, title="采购物资",
                                  due_date=dt.date.today() - dt.timedelta(days=3))


def test_check_overdue_task_flags_once_and_is_safe_to_repeat(world, django_capture_on_commit_callbacks, caplog):
    late = overdue_milestone(world)
    services.milestone_add(actor=world.liaison, project=late.project, title="未到期",
                           due_date=dt.date.today() + dt.timedelta(days=30))
    caplog.set_level(logging.INFO, logger="lianjian.projects.tasks")
    with django_capture_on_commit_callbacks(execute=True):
        check_overdue()  # through the queue (immediate in tests)
    assert Milestone.objects.get(pk=late.pk).overdue_notified
    assert Milestone.objects.filter(overdue_notified=True).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        check_overdue()  # the second run flags and notifies nothing more
    assert Notification.objects.filter(kind="milestone_overdue").count() == 2  # staff + liaison, once
    assert Activity.objects.for_object(late.project).filter(action="milestone_overdue").count() == 1
    assert [r.getMessage() for r in caplog.records] == [
        "check_overdue: 1 overdue milestones flagged", "check_overdue: 0 overdue milestones flagged"]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_real_consumer_runs_the_periodic_task():
    """``lianjian worker`` in its own process takes the task from the real queue and flags the
    milestone in the shared database."""
    world = make_world()
    late = overdue_milestone(world)
    env = {**os.environ, "DATABASE_URL": _database_url(), "LIANJIAN_QUEUE_NAME": settings.QUEUE_NAME,
           "LIANJIAN_QUEUE_IMMEDIATE": "0"}
    HUEY.immediate = False  # this process queues for real, into the storage the worker reads
    HUEY.flush()
    worker = subprocess.Popen([sys.executable, "-m", "lianjian", "worker", "--workers", "2"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        check_overdue()
        check_overdue()  # twice, possibly at the same time on two worker threads: flagged once
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and worker.poll() is None:
            if Milestone.objects.filter(pk=late.pk, overdue_notified=True).exists() and not HUEY.pending_count():
                break
            time.sleep(0.2)
        assert Milestone.objects.get(pk=late.pk).overdue_notified
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            output = worker.communicate(timeout=30)[0].decode()
        except subprocess.TimeoutExpired:
            worker.kill()
            output = worker.communicate()[0].decode()
        HUEY.flush()
        HUEY.immediate = True
        queue_file = Path(str(settings.HUEY.get("filename", "")))
        if queue_file.name.startswith("huey-lianjian-test-"):
            for leftover in queue_file.parent.glob(queue_file.name + "*"):
                leftover.unlink(missing_ok=True)
    assert worker.returncode == 0, output
    # Each run logs its count: one run flagged the milestone, every other (the second call, and
    # the scheduler's own hourly run if the test happens to cross minute 7) flagged nothing.
    runs = re.findall(r"check_overdue: (\d+) overdue milestones flagged", output)
    assert sorted(runs)[-1] == "1" and runs.count("1") == 1 and set(runs) == {"0", "1"}, output
    assert Notification.objects.filter(kind="milestone_overdue").count() == 2
