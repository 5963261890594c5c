"""What a user may act on, read once per request from role grants, contacts and seats."""

from collections.abc import Callable
from dataclasses import dataclass, field


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


def scope_of(user) -> Scope:
    """The user's scope, computed once and cached on the user object."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_alliance_scope", None)
    if cached is not None:
        return cached
    fields = {}
    for provider in _providers:
        fields.update(provider(user))
    scope = Scope(is_authenticated=True, is_superuser=user.is_superuser, **fields)
    user._alliance_scope = scope
    return scope


def forget_scope(user) -> None:
    """Drop the cached scope after the user's grants changed."""
    if hasattr(user, "_alliance_scope"):
        del user._alliance_scope
