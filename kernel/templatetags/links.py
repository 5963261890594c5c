"""Links of a long list built once per page: `{% link_pattern 'organization-detail' as org_url %}` before the
loop, then `{{ org_url|with_id:row.organization_id }}` in it.

`{% url %}` resolves the pattern again for every row (a quarter of a 50-row table's rendering); here the URL
is reversed once, with a placeholder id, and each row only puts its id in. For a URL name with one integer
argument.
"""

from django import template
from django.urls import reverse

register = template.Library()

PLACEHOLDER = "2147483647"


class LinkPattern:
    __slots__ = ("prefix", "suffix")

    def __init__(self, url: str):
        self.prefix, found, self.suffix = url.partition(PLACEHOLDER)
        if not found or PLACEHOLDER in self.suffix:
            raise ValueError(f"{url!r} does not hold its id exactly once")

    def __str__(self) -> str:
        return self.prefix + PLACEHOLDER + self.suffix


@register.simple_tag
def link_pattern(url_name: str) -> LinkPattern:
    return LinkPattern(reverse(url_name, args=[int(PLACEHOLDER)]))


@register.filter
def with_id(pattern: LinkPattern, pk) -> str:
    return f"{pattern.prefix}{int(pk)}{pattern.suffix}"
