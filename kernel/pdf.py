"""PDF documents in the reader's language (Chinese by default): WeasyPrint with the Noto CJK font (Debian's fonts-noto-cjk), fetching
nothing the document does not inline — no network, no files."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

# Documents are in Chinese unless their requester reads another of the site's languages.
LANGUAGE = "zh-hans"
FONT_FAMILY = "Noto Sans CJK SC"


# WeasyPrint is imported where a PDF is made: it loads Pango and its fonts, which a web process that
# never renders a PDF should not pay for at start-up.


def document_language(language: str | None) -> str:
    """One of the site's languages for a document: the requester's (e.g. get_language()), else Chinese."""
    language = (language or "").lower()
    return language if language in {code for code, _name in settings.LANGUAGES} else LANGUAGE


def url_fetcher():
    """WeasyPrint may load nothing but what the document inlines: no network, no files."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


def render_pdf(template: str, context: dict, *, language: str = LANGUAGE) -> bytes:
    """The template rendered in `language` (with `font_family` in its context) and laid out as a PDF."""
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(template, {**context, "font_family": FONT_FAMILY})
    return HTML(string=html, url_fetcher=url_fetcher()).write_pdf()


def warm_up() -> None:
    """Lay out a one-line document in the documents' font, so that WeasyPrint's imports and Pango's and the CJK
    font's set-up are paid when a worker process starts (config/celery.py), not by its first report."""
    from weasyprint import HTML

    HTML(string=f'<p style="font-family: \'{FONT_FAMILY}\'">市域产教联合体 Alliance 2026</p>',
         url_fetcher=url_fetcher()).write_pdf()
