"""The 20 sections A–T of GB/T 4754-2017, and a sector for each key industrial chain already recorded."""

from django.db import migrations

from matching.defaults import GBT4754_SECTIONS


def forwards(apps, schema_editor):
    Sector = apps.get_model("matching", "Sector")
    IndustrialChain = apps.get_model("alliance", "IndustrialChain")
    for code, name, name_en in GBT4754_SECTIONS:
        Sector.objects.update_or_create(city=None, code=code, scheme="gbt4754",
                                        defaults={"name": name, "name_en": name_en})
    for chain in IndustrialChain.objects.all():
        Sector.objects.update_or_create(chain=chain, defaults={
            "scheme": "chain", "city_id": chain.city_id, "code": f"chain-{chain.pk}", "name": chain.name,
            "name_en": chain.name_en})


def backwards(apps, schema_editor):
    apps.get_model("matching", "Sector").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial"), ("alliance", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
