"""Writes to needs (需求), resources (资源) and claims (认领) — one module per topic, re-exported
here so callers keep writing ``from lianjian.lists.services import need_create``.

The claim services keep two counters, a need's ``quantity_covered`` and a resource's
``remaining``, with conditional UPDATEs (see :mod:`.claims`).
"""

from ._common import MAX_NEED_PHOTOS, NEED_FIELDS, RESOURCE_FIELDS, community_staff_ids, liaison_ids
from .claims import claim_confirm, claim_create, claim_create_confirmed, claim_decline, claim_withdraw
from .needs import (
    NEED_AUDIT_FIELDS,
    need_add_photo,
    need_close,
    need_create,
    need_default_source,
    need_prepare,
    need_publish,
    need_return,
    need_update,
    needs_announce,
)
from .resources import resource_create, resource_set_status, resource_update

__all__ = [
    "MAX_NEED_PHOTOS", "NEED_AUDIT_FIELDS", "NEED_FIELDS", "RESOURCE_FIELDS", "claim_confirm", "claim_create",
    "claim_create_confirmed", "claim_decline", "claim_withdraw", "community_staff_ids", "liaison_ids",
    "need_add_photo", "need_close", "need_create", "need_default_source", "need_prepare", "need_publish",
    "need_return", "need_update", "needs_announce", "resource_create", "resource_set_status", "resource_update",
]
