"""What a user may act on, read from role grants, contacts and seats once per request, and kept between requests
under the data's version.

Every signed-in request needs the scope (three queries: role grants, contacts, seats; about a quarter of an
official's list request, and of a ballot's). It is kept in the cache under the data's version (kernel/versions.py),
which moves on after every request that may have written and every task, so a scope is never used after a change
to grants, contacts or seats made through them. As with every kept answer, a change made outside requests and tasks
(a management command) is seen within SCOPE_SECONDS. Nothing is kept or read inside a transaction (it may hold
writes not committed yet, and the suite's tests run in one) or while the cache is unreachable; after
`forget_scope` (a service changed the user's grants) the request computes the scope from the database again.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from kernel.versions import data_version, keep, kept

SCOPE_SECONDS = 60


@dataclass(frozen=True)
class Scope:
    is_authenticated: bool = False
    is_superuser: bool = False
    secretariat_alliance_ids: frozenset[int] = field(default_factory=frozenset)
    official_city_ids: frozenset[int] = field(default_factory=frozenset)
    contact_organization_ids: frozenset[int] = field(default_factory=frozenset)
    seat_alliance_ids: frozenset[int] = field(default_factory=frozenset)
    seat_ids: frozenset[int] = field(default_factory=frozenset)
    is_expert: bool = False

    @property
    def roles(self) -> list[str]:
        roles = []
        if self.is_superuser:
            roles.append("admin")
        if self.official_city_ids:
            roles.append("official")
        if self.secretariat_alliance_ids:
            roles.append("secretariat")
        if self.seat_ids:
            roles.append("director")
        if self.contact_organization_ids:
            roles.append("contact")
        if self.is_expert:
            roles.append("expert")
        return roles


ANONYMOUS = Scope()

# Each app that grants a user something contributes the fields it knows (members: role grants and
# contacts; governance: seats), registered in its AppConfig.ready(). The kernel knows no app.
ScopeProvider = Callable[[object], dict]
_providers: list[ScopeProvider] = []


def contributes_to_scope(provider: ScopeProvider) -> ScopeProvider:
    """Register a function `user -> {Scope field: value}`, read once per request and user."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def _scope_key(user) -> str | None:
    if getattr(user, "_scope_changed", False):
        return None
    version = data_version()
    return None if version is None else f"scope:{version}:{user.pk}:{int(user.is_superuser)}"


def scope_of(user) -> Scope:
    """The user's scope: cached on the user object for the request, kept in the cache between requests."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_alliance_scope", None)
    if cached is not None:
        return cached
    key = _scope_key(user)
    scope = kept(key)
    if scope is None:
        fields = {}
        for provider in _providers:
            fields.update(provider(user))
        scope = Scope(is_authenticated=True, is_superuser=user.is_superuser, **fields)
        keep(key, scope, seconds=SCOPE_SECONDS, what="a scope")
    user._alliance_scope = scope
    return scope


def forget_scope(user) -> None:
    """Drop the scope after the user's grants changed: read from the database for the rest of the request (the
    data's version moves on when the request ends)."""
    if hasattr(user, "_alliance_scope"):
        del user._alliance_scope
    user._scope_changed = True
