"""Names in the reader's language: Chinese first, the English form (`name_en`) in the English interface
where a record has one. Used by pages (the `|name` filter), PDFs and Excel files alike."""

from django.utils.translation import get_language

SOURCE_LANGUAGE = "zh-Hans"  # the language the `name` fields are written in


def reads_english(language: str | None = None) -> bool:
    return (language or get_language() or "").lower().startswith("en")


def display_name(obj, language: str | None = None) -> str:
    """`obj.name_en` when the (active) language is English and there is one; otherwise `obj.name`."""
    if obj is None:
        return ""
    if reads_english(language):  # only then: a query that deferred name_en does not load it for Chinese pages
        return getattr(obj, "name_en", "") or obj.name
    return obj.name


def shown_in_source_language(obj, language: str | None = None) -> bool:
    """True when the name shown is the Chinese one on a page in another language (it needs a `lang`)."""
    return obj is not None and reads_english(language) and display_name(obj, language) == obj.name


class BilingualName:
    """For models with `name` and `name_en`."""

    @property
    def display_name(self) -> str:
        return display_name(self)
