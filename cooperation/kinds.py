"""The four lists by the name they go by in addresses: what the pages, the Excel files and the PDF share."""

from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from cooperation.models import CoreProduct, Offer, TalentNeed, TechnologyNeed


@dataclass(frozen=True)
class Kind:
    slug: str
    model: type
    plural: str
    singular: str
    title_field: str
    search_fields: tuple[str, ...]


KINDS = {
    kind.slug: kind for kind in (
        Kind("products", CoreProduct, _("Core products"), _("Core product"), "name",
             ("name", "description", "key_technologies", "organization__name")),
        Kind("technology-needs", TechnologyNeed, _("Technology needs"), _("Technology need"), "title",
             ("title", "description", "organization__name")),
        Kind("talent-needs", TalentNeed, _("Talent needs"), _("Talent need"), "position",
             ("position", "description", "location", "organization__name")),
        Kind("offers", Offer, _("Offers"), _("Offer"), "title", ("title", "description", "organization__name")),
    )
}
BY_MODEL = {kind.model: kind for kind in KINDS.values()}


def kind_named(slug: str) -> Kind:
    if slug not in KINDS:
        raise Http404
    return KINDS[slug]


def kind_of(entry) -> Kind:
    return BY_MODEL[type(entry)]


def title_of(entry) -> str:
    return getattr(entry, kind_of(entry).title_field)
