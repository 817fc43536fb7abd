from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from lianjian.tickets.categories import seed_categories

    seed_categories(apps.get_model("tickets", "ReportCategory"))


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
