"""Publicity's card on an alliance's page and its two sections of the alliance's public page (registered with
alliance/extensions.py)."""

from publicity.models import NewsItem
from publicity.permissions import can_read_all_publicity, can_write_publicity
from publicity.selectors import news_for_user, published_news

PANEL_ITEMS = 3
PUBLIC_ITEMS = 5


def alliance_publicity(request, alliance) -> dict:
    return {
        "alliance": alliance,
        "items": list(news_for_user(request.user).filter(alliance=alliance)[:PANEL_ITEMS]),
        "can_write": can_write_publicity(request.user, alliance),
        "can_read_announcements": can_read_all_publicity(request.user, alliance),
    }


def _public(alliance, kind: str) -> dict:
    return {"alliance": alliance, "kind": kind,
            "items": list(published_news().filter(alliance=alliance, kind=kind)[:PUBLIC_ITEMS])}


def public_news(alliance) -> dict:
    return _public(alliance, NewsItem.Kind.NEWS)


def public_typical_cases(alliance) -> dict:
    return _public(alliance, NewsItem.Kind.TYPICAL_CASE)
