"""Seed the managed taxonomy: the categories and beneficiary groups the seed stories use."""

from django.db import migrations

CATEGORIES = [
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

GROUPS = [
    ("elderly", "老人"),
    ("children", "儿童"),
    ("disabled", "残疾人"),
    ("unemployed", "失业人员"),
    ("new-employment", "新就业群体"),
    ("youth", "青少年"),
    ("families-in-need", "困难家庭"),
    ("all-residents", "全体居民"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("lists", "Category")
    BeneficiaryGroup = apps.get_model("lists", "BeneficiaryGroup")
    for order, (code, name) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order * 10})
    for order, (code, name) in enumerate(GROUPS, start=1):
        BeneficiaryGroup.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("lists", "0002_need_year_default_recent_index")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
