"""Bulk statements stay under the parameter limit of PostgreSQL's server-side binding.

With server-side binding a statement binds at most 65,535 values; Django 5.2 sizes PostgreSQL's
batches of ``bulk_update`` and of cascade deletes by nothing else, so a big one failed there.
"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from lianjian.core.models import Activity

pytestmark = pytest.mark.django_db


def test_a_bulk_update_past_65535_parameters_is_split_into_batches():
    kind = ContentType.objects.get_for_model(Activity)
    rows = 65535 // 3 + 500  # each row binds its id twice and its value once
    Activity.objects.bulk_create([Activity(actor_repr="批量", action="import", content_type=kind, object_id=str(i),
                                           object_repr=str(i), changes={}, source="import") for i in range(rows)])
    objs = list(Activity.objects.filter(actor_repr="批量"))
    for a in objs:
        a.note = "已核对"
    assert Activity.objects.bulk_update(objs, ["note"]) == rows
    assert Activity.objects.filter(actor_repr="批量", note="已核对").count() == rows
