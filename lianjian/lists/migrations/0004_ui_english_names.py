"""English names for the managed taxonomy, shown when a person chooses English.

Fills ``name_en`` of the seed categories and beneficiary groups (by code) where it is still
empty; admins edit the names afterwards.
"""

from django.db import migrations, models

CATEGORY_NAMES_EN = {
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

GROUP_NAMES_EN = {
    "elderly": "Older people",
    "children": "Children",
    "disabled": "People with disabilities",
    "unemployed": "Unemployed people",
    "new-employment": "New-economy workers",
    "youth": "Young people",
    "families-in-need": "Families in need",
    "all-residents": "All residents",
}


def fill(apps, schema_editor):
    for model, names in (("Category", CATEGORY_NAMES_EN), ("BeneficiaryGroup", GROUP_NAMES_EN)):
        rows = apps.get_model("lists", model).objects
        for code, name_en in names.items():
            rows.filter(code=code, name_en="").update(name_en=name_en)


class Migration(migrations.Migration):

    dependencies = [
        ("lists", "0003_seed_taxonomy"),
    ]

    operations = [
        migrations.AddField(
            model_name="beneficiarygroup",
            name="name_en",
            field=models.CharField(blank=True, help_text="英文界面显示的名称；不填则显示中文名称。", max_length=80,
                                   verbose_name="英文名称"),
        ),
        migrations.AddField(
            model_name="category",
            name="name_en",
            field=models.CharField(blank=True, help_text="英文界面显示的名称；不填则显示中文名称。", max_length=80,
                                   verbose_name="英文名称"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
