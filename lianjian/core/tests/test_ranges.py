"""Every number people can enter has a sane range; dates stay in order (point: inconsistent plans)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models

from lianjian.accounts.permissions import SYSTEM


def _integer_fields():
    for model in apps.get_models():
        if not model.__module__.startswith("lianjian."):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.IntegerField | models.DecimalField) and not field.primary_key \
                    and not field.is_relation:
                yield model, field


def test_every_number_field_of_the_product_has_an_upper_bound():
    unbounded = [f"{m._meta.label}.{f.name}" for m, f in _integer_fields()
                 if not f.choices and not any(isinstance(v, MaxValueValidator) for v in f.validators)]
    assert not unbounded, unbounded


def test_every_date_field_people_enter_has_a_range():
    from lianjian.core.ranges import validate_date_in_range

    for model in apps.get_models():
        if model._meta.app_label not in {"projects", "lists", "orgs", "meetings"}:
            continue
        for field in model._meta.concrete_fields:
            if type(field) is models.DateField:
                assert validate_date_in_range in field.validators, f"{model._meta.label}.{field.name}"


@pytest.mark.django_db
def test_first_progress_after_the_planned_end_cannot_start_the_project_after_its_end(world):
    from lianjian.projects import services
    from lianjian.projects.tests.factories import png, project

    p = project(world, end_date=dt.date(2024, 3, 1))
    with pytest.raises(ValidationError) as err:
        services.progress_add(actor=SYSTEM, project=p, text="进展", happened_on=dt.date(2024, 4, 1))
    assert "happened_on" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.project_complete(actor=SYSTEM, project=p, summary="完成", completed_on=dt.date(2024, 4, 1),
                                  photos=[png()])
    assert "completed_on" in err.value.message_dict
    p.refresh_from_db()
    assert p.start_date is None and p.status == "planned"


@pytest.mark.django_db
def test_api_refuses_start_after_end_and_out_of_range_numbers(client, world):
    from lianjian.accounts.services import api_token_create
    from lianjian.projects.tests.factories import project

    _t, raw = api_token_create(user=world.staff, name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    p = project(world, end_date=dt.date(2024, 3, 1))
    r = client.patch(f"/api/v1/projects/{p.pk}", {"start_date": "2024-05-01"}, content_type="application/json",
                     **headers)
    assert r.status_code == 422 and "end_date" in r.json()["error"]["details"]
    r = client.post(f"/api/v1/projects/{p.pk}/progress", {"text": "x", "happened_on": "2024-02-01",
                                                          "people_served": 9223372036854775807},
                    content_type="application/json", **headers)
    assert r.status_code == 422
    r = client.post(f"/api/v1/projects/{p.pk}/start", {"start_date": "2024-04-01"}, content_type="application/json",
                    **headers)
    assert r.status_code == 422
    p.refresh_from_db()
    assert p.status == "planned" and p.start_date is None


@pytest.mark.django_db
def test_a_new_need_deadline_is_not_in_the_past(world):
    from django.utils import timezone

    from lianjian.lists.models import Category
    from lianjian.lists.services import need_create

    with pytest.raises(ValidationError) as err:
        need_create(actor=world.staff, community=world.community, title="座椅",
                    category=Category.objects.filter(is_active=True).first(),
                    wanted_by=timezone.localdate() - dt.timedelta(days=3), quantity_needed=2)
    assert "wanted_by" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        need_create(actor=world.staff, community=world.community, title="座椅",
                    category=Category.objects.filter(is_active=True).first(), quantity_needed=10**9)
    assert "quantity_needed" in err.value.message_dict


def test_every_number_field_of_every_form_has_an_upper_bound():
    import importlib
    import importlib.util
    import inspect

    from django import forms

    unbounded = []
    for app in apps.get_app_configs():
        if not app.name.startswith("lianjian.") or importlib.util.find_spec(f"{app.name}.forms") is None:
            continue
        module = importlib.import_module(f"{app.name}.forms")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, forms.BaseForm) or cls.__module__ != module.__name__:
                continue
            for field_name, field in cls.base_fields.items():
                if isinstance(field, forms.DecimalField) and field.max_digits:
                    continue
                validators = list(field.validators)
                model = getattr(getattr(cls, "_meta", None), "model", None)
                if model is not None and field_name in {f.name for f in model._meta.concrete_fields}:
                    validators += model._meta.get_field(field_name).validators  # run by the model form
                if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField) and not any(
                        isinstance(v, MaxValueValidator) for v in validators):
                    unbounded.append(f"{module.__name__}.{name}.{field_name}")
    assert not unbounded, unbounded
