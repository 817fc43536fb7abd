"""The demo shows a report in every state; the escalation task is idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lianjian.demo.loader import load_demo
from lianjian.tickets import demo, tasks
from lianjian.tickets.models import Report, Status

from .factories import make_report

pytestmark = pytest.mark.django_db


def test_demo_reports_in_every_state_and_idempotent(client):
    load_demo()
    rows = Report.objects.filter(description__in=[r[3] for r in demo.REPORTS])
    count = rows.count()
    load_demo()
    assert Report.objects.filter(description__in=[r[3] for r in demo.REPORTS]).count() == count == len(demo.REPORTS)
    statuses = set(rows.values_list("status", flat=True))
    assert statuses >= {Status.NEW, Status.DISPATCHED, Status.RESOLVED, Status.CONFIRMED, Status.REOPENED,
                        Status.MERGED, Status.REJECTED, Status.ACCEPTED}
    overdue = rows.get(description__startswith="西熙里路口井盖")
    assert overdue.is_overdue and overdue.escalated_at and overdue.escalated_to_id
    assert rows.filter(need__isnull=False).count() == 1
    assert rows.get(status=Status.MERGED).duplicate_of.supporter_count >= 2


def test_escalation_task_runs_twice_without_escalating_twice(world):
    report = make_report(world, state="dispatched")
    Report.objects.filter(pk=report.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    assert tasks.escalate_overdue.call_local() == 1
    assert tasks.escalate_overdue.call_local() == 0
    assert Report.objects.get(pk=report.pk).escalated_at is not None
