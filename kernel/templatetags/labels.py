"""`{{ obj|label:"field" }}`: a choice field's label, like get_FOO_display() but cheap; `{{ obj|name }}`: a
name in the reader's language.

get_FOO_display() rebuilds a dict of lazy labels on every call; long lists call it
hundreds of times. The labels are built once per model field and language.
"""

from functools import cache

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

from kernel.names import SOURCE_LANGUAGE, display_name, reads_english, shown_in_source_language

register = template.Library()


@cache
def _labels(model, field_name: str, language: str) -> dict:
    return {value: str(text) for value, text in model._meta.get_field(field_name).flatchoices}


@register.filter
def label(obj, field_name: str) -> str:
    value = getattr(obj, field_name)
    return _labels(type(obj), field_name, get_language()).get(value, value)


@register.filter
def name(obj) -> str:
    """`{{ alliance|name }}`: the name in the reader's language (kernel.names), marked with `lang` when it is
    the Chinese name on an English page, so screen readers pronounce it right."""
    if obj is None:
        return ""
    if shown_in_source_language(obj):
        return format_html('<span lang="{}">{}</span>', SOURCE_LANGUAGE, obj.name)
    return display_name(obj)


@register.filter
def other_name(obj) -> str:
    """The name in the other language (the Chinese one on an English page and the reverse), with its `lang`;
    empty when the record has no English name."""
    if obj is None or not getattr(obj, "name_en", ""):
        return ""
    if reads_english():
        return format_html('<span lang="{}">{}</span>', SOURCE_LANGUAGE, obj.name)
    return format_html('<span lang="en">{}</span>', obj.name_en)
