"""The five seed categories of street reports with their Open311 service definitions.

The data migration writes them; ``ensure_categories()`` writes them again where a transactional
test flushed the table. Staff may change every value afterwards (admin, the category page, the API).
"""

from __future__ import annotations

from typing import Any

_YES_NO = [{"key": "yes", "name": "是"}, {"key": "no", "name": "否"}]

SEED: list[dict[str, Any]] = [
    {"code": "safety", "name": "安全隐患", "name_en": "Safety hazard", "response_hours": 24, "duplicate_radius_m": 100,
     "description": "井盖松动、消防通道堵塞、楼道内电动车充电等危及安全的问题。",
     "keywords": "井盖,消防通道,电动车充电,漏电,高空坠物", "group": "安全",
     "attributes": [
         {"code": "danger_now", "description": "现在是否有人可能受伤？", "datatype": "singlevaluelist",
          "required": True, "order": 1, "values": _YES_NO},
         {"code": "hazard_detail", "description": "隐患位置细节（如几栋几单元）", "datatype": "string",
          "required": False, "order": 2},
     ]},
    {"code": "facility", "name": "设施损坏", "name_en": "Broken facility", "response_hours": 72,
     "duplicate_radius_m": 50, "description": "路灯、座椅、健身器材、围栏等公共设施损坏。",
     "keywords": "路灯,座椅,健身器材,围栏,路面", "group": "设施",
     "attributes": [
         {"code": "facility_type", "description": "设施类型", "datatype": "singlevaluelist", "required": True,
          "order": 1, "values": [{"key": "light", "name": "路灯"}, {"key": "seat", "name": "座椅"},
                                 {"key": "fitness", "name": "健身器材"}, {"key": "road", "name": "路面"},
                                 {"key": "other", "name": "其他"}]},
     ]},
    {"code": "sanitation", "name": "环境卫生", "name_en": "Sanitation", "response_hours": 48,
     "duplicate_radius_m": 80, "description": "垃圾堆放、污水、乱贴乱画等环境问题。",
     "keywords": "垃圾,污水,小广告,异味", "group": "环境", "attributes": []},
    {"code": "traffic", "name": "交通秩序", "name_en": "Traffic order", "response_hours": 48,
     "duplicate_radius_m": 150, "description": "乱停车、占道经营、交通设施缺失等。",
     "keywords": "乱停车,占道,红绿灯,斑马线", "group": "交通",
     "attributes": [
         {"code": "blocking", "description": "是否堵塞通行？", "datatype": "singlevaluelist", "required": False,
          "order": 1, "values": _YES_NO},
     ]},
    {"code": "other", "name": "其他", "name_en": "Other", "response_hours": 72, "duplicate_radius_m": 50,
     "description": "其他需要社区处理的问题。", "keywords": "", "group": "其他", "attributes": []},
]


def seed_categories(model: Any) -> int:
    """Create the seed categories that do not exist yet (by code); return how many were made."""
    made = 0
    for order, row in enumerate(SEED, 1):
        _obj, created = model.objects.get_or_create(code=row["code"], defaults={**row, "order": order})
        made += int(created)
    return made


def ensure_categories() -> int:
    from .models import Category

    return seed_categories(Category)
