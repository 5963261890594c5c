"""Who may read and write the matching's data. Pages and the API both ask these.

- The city's officials enter the industry figures and set the mapping of majors to sectors, and read the
  city's comparison of its alliances.
- An alliance's matching is read by who reads its non-public details: its secretariat, its council's seats and
  the city's officials.
- A city's figures and mappings are read by its officials and by the secretariats and seats of its alliances.
"""

from alliance.permissions import can_view_private
from kernel.scope import scope_of


def can_manage_city(user, city_id: int) -> bool:
    scope = scope_of(user)
    return scope.is_superuser or city_id in scope.official_city_ids


def can_read_city_comparison(user, city_id: int) -> bool:
    return can_manage_city(user, city_id)


def can_read_alliance_matching(user, alliance) -> bool:
    return can_view_private(user, alliance)


def manages_any_city(user) -> bool:
    scope = scope_of(user)
    return scope.is_superuser or bool(scope.official_city_ids)
