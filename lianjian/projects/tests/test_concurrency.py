"""Simultaneous ratings and progress reports, from threads with their own database connections."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from lianjian.projects import services
from lianjian.projects.models import ProgressUpdate, Project, Rating
from lianjian.testing import make_world, run_together

from .factories import project

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]
THREADS = 8


def run_at_once(func, args_list):
    """Run func(*args) in one thread each, released together; return results and errors."""
    outcome = run_together([lambda args=args: func(*args) for args in args_list])
    return outcome["ok"], outcome["refused"] + outcome["error"]


def test_simultaneous_ratings_are_all_counted():
    world = make_world()
    p = project(world, status="completed")
    _, errors = run_at_once(
        lambda i: services.rating_add(project=Project.objects.get(pk=p.pk), stars=i % 5 + 1, device_hash=f"device-{i}"),
        [(i,) for i in range(THREADS)],
    )
    assert errors == []
    p.refresh_from_db()
    assert p.rating_count == THREADS == Rating.objects.filter(project=p).count()
    assert p.rating_sum == sum(i % 5 + 1 for i in range(THREADS))


def test_same_device_at_once_gives_one_rating_and_clear_messages():
    world = make_world()
    p = project(world, status="completed")
    results, errors = run_at_once(
        lambda: services.rating_add(project=Project.objects.get(pk=p.pk), stars=5, device_hash="same-phone"),
        [() for _ in range(THREADS)],
    )
    assert len(results) == 1
    assert len(errors) == THREADS - 1 and all(isinstance(e, ValidationError) for e in errors)
    assert all("已经评价过" in str(e) for e in errors)
    p.refresh_from_db()
    assert (p.rating_count, p.rating_sum) == (1, 5) and Rating.objects.count() == 1


def test_simultaneous_progress_reports_add_up():
    world = make_world()
    p = project(world)
    _, errors = run_at_once(
        lambda i: services.progress_add(
            actor=world.liaison if i % 2 else world.staff,
            project=Project.objects.get(pk=p.pk),
            text=f"进展{i}",
            happened_on=dt.date(2024, 3, 1),
            people_served=3,
            volunteer_hours="1.5",
        ),
        [(i,) for i in range(THREADS)],
    )
    assert errors == []
    p.refresh_from_db()
    assert ProgressUpdate.objects.filter(project=p).count() == THREADS
    assert p.people_served == 3 * THREADS
    assert p.volunteer_hours == Decimal("1.5") * THREADS
    assert p.status == "in_progress"
