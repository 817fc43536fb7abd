"""The seed taxonomy (also seeded by migration 0003) and a way to restore it.

Transactional tests flush the database, data migrations included; the demo and those tests
call :func:`ensure_taxonomy` to get the seed rows back. Admins edit the rows in the admin.
"""

from __future__ import annotations

from django.db.models import Q

from .models import BeneficiaryGroup, Category

CATEGORIES: list[tuple[str, str]] = [
    ("employment", "就业创业"),
    ("elderly-care", "助老敬老"),
    ("health", "医疗健康"),
    ("culture-education", "文化教育"),
    ("transport", "交通出行"),
    ("special-groups", "特殊人群关爱"),
    ("safety", "安全"),
    ("environment", "环境"),
    ("new-employment", "新就业群体服务"),
    ("civilisation-practice", "文明实践"),
]

GROUPS: list[tuple[str, str]] = [
    ("elderly", "老人"),
    ("children", "儿童"),
    ("disabled", "残疾人"),
    ("unemployed", "失业人员"),
    ("new-employment", "新就业群体"),
    ("youth", "青少年"),
    ("families-in-need", "困难家庭"),
    ("all-residents", "全体居民"),
]


# English names shown when a person chooses English (by code; admins may edit them).
CATEGORY_NAMES_EN: dict[str, str] = {
    "employment": "Employment and entrepreneurship",
    "elderly-care": "Elderly care",
    "health": "Health care",
    "culture-education": "Culture and education",
    "transport": "Transport",
    "special-groups": "Care for special groups",
    "safety": "Safety",
    "environment": "Environment",
    "new-employment": "Services for new-economy workers",
    "civilisation-practice": "Civic volunteering",
}

GROUP_NAMES_EN: dict[str, str] = {
    "elderly": "Older people",
    "children": "Children",
    "disabled": "People with disabilities",
    "unemployed": "Unemployed people",
    "new-employment": "New-economy workers",
    "youth": "Young people",
    "families-in-need": "Families in need",
    "all-residents": "All residents",
}


def ensure_taxonomy() -> None:
    """Create any missing seed category or group (by code); never touches edited rows."""
    for order, (code, name) in enumerate(CATEGORIES, start=1):
        if not Category.objects.filter(Q(code=code) | Q(name=name)).exists():
            Category.objects.create(code=code, name=name, name_en=CATEGORY_NAMES_EN.get(code, ""),
                                    sort_order=order * 10)
    for order, (code, name) in enumerate(GROUPS, start=1):
        if not BeneficiaryGroup.objects.filter(Q(code=code) | Q(name=name)).exists():
            BeneficiaryGroup.objects.create(code=code, name=name, name_en=GROUP_NAMES_EN.get(code, ""),
                                            sort_order=order * 10)


def display_names() -> dict[str, str]:
    """Chinese category and beneficiary-group name -> its name in the active language.

    For pages that hold names rather than rows (statistics, matching reasons); a name that is
    not in the taxonomy is not in the mapping, so callers fall back to the name itself.
    """
    names: dict[str, str] = {}
    for model in (Category, BeneficiaryGroup):
        for row in model.objects.only("name", "name_en"):
            names[row.name] = row.display_name
    return names
