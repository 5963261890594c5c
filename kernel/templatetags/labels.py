"""`{{ obj|label:"field" }}`: a choice field's label, like get_FOO_display() but cheap.

get_FOO_display() rebuilds a dict of lazy labels on every call; long lists call it
hundreds of times. The labels are built once per model field and language.
"""

from functools import cache

from django import template
from django.utils.translation import get_language

register = template.Library()


@cache
def _labels(model, field_name: str, language: str) -> dict:
    return {value: str(text) for value, text in model._meta.get_field(field_name).flatchoices}


@register.filter
def label(obj, field_name: str) -> str:
    value = getattr(obj, field_name)
    return _labels(type(obj), field_name, get_language()).get(value, value)
