"""Atom feeds of published news and typical cases: one per alliance, one per city (Django's syndication
framework). Only what the public pages show; the text is escaped and its line breaks kept."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaks_filter
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from alliance.models import City
from alliance.selectors import public_alliance_get
from publicity.models import NewsItem
from publicity.selectors import published_news

FEED_ITEMS = 50


class NewsFeed(Feed):
    feed_type = Atom1Feed

    def items(self, owner):
        return self.published(owner)[:FEED_ITEMS]

    def item_title(self, item: NewsItem):
        return item.title

    def item_description(self, item: NewsItem):
        # Atom's summary is typed html: our plain text, escaped, with its paragraphs and line breaks.
        return linebreaks_filter(escape(item.body), autoescape=False)

    def item_link(self, item: NewsItem):
        return reverse("publicity:news", args=[item.pk])

    def item_pubdate(self, item: NewsItem):
        return item.published_at

    def item_updateddate(self, item: NewsItem):
        return item.updated_at

    def item_author_name(self, item: NewsItem):
        return item.alliance.name

    def item_categories(self, item: NewsItem):
        return [item.get_kind_display()]


class AllianceNewsFeed(NewsFeed):
    def get_object(self, request, pk):
        return public_alliance_get(pk)

    def published(self, alliance):
        return published_news().filter(alliance=alliance)

    def title(self, alliance):
        return format_lazy(_("{name}: news and typical cases"), name=alliance.name)

    def subtitle(self, alliance):
        return alliance.name_en or alliance.name

    def link(self, alliance):
        return reverse("alliance-public", args=[alliance.pk])

    def author_name(self, alliance):
        return alliance.name

    def feed_url(self, alliance):
        return reverse("publicity:alliance-feed", args=[alliance.pk])


class CityNewsFeed(NewsFeed):
    def get_object(self, request, pk):
        return get_object_or_404(City, pk=pk)

    def published(self, city):
        return published_news().filter(alliance__city=city)

    def title(self, city):
        return format_lazy(_("{name}: news and typical cases of its alliances"), name=city.name)

    def subtitle(self, city):
        return city.name_en or city.name

    def link(self, city):
        return reverse("publicity:city-news", args=[city.pk])

    def author_name(self, city):
        return city.name

    def feed_url(self, city):
        return reverse("publicity:city-feed", args=[city.pk])
