"""Chinese names in pinyin order.

PostgreSQL sorts with ICU's Chinese collation (`zh-x-icu`: 安 before 北 before 中, Latin letters among
them by sound); the embedded SQLite default of `make run` has no such collation and keeps its code-point
order. The ordering is given per query (`order_by(pinyin("name"))`), so no column changes; the units' names
have an index in this order (members/migrations/0005), so a list of units reads its page from the index.
"""

from django.db import connection
from django.db.models import F, OrderBy
from django.db.models.functions import Collate

PINYIN_COLLATION = "zh-x-icu"


def pinyin(field: str, *, descending: bool = False) -> OrderBy:
    """An ordering term for `field` (a name) in pinyin order where the database can."""
    expression = Collate(F(field), PINYIN_COLLATION) if connection.vendor == "postgresql" else F(field)
    return expression.desc() if descending else expression.asc()


def pinyin_ordering(terms, fields) -> list:
    """`terms` as given to order_by ("name", "-name", "id"), with those naming one of `fields` in pinyin order."""
    ordered = []
    for term in terms:
        name = term.lstrip("-") if isinstance(term, str) else None
        ordered.append(pinyin(name, descending=term.startswith("-")) if name in fields else term)
    return ordered
