"""Checking an uploaded image: its size, then its content (PNG, JPEG or WebP, read by Pillow, whatever its name
or declared type says), so that nothing else is ever stored or served as a news image."""

import uuid

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from kernel.errors import DomainError

# Pillow's format name: (content type, file extension).
IMAGE_FORMATS = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg"), "WEBP": ("image/webp", "webp")}
# A small file can unpack into a huge picture (a "decompression bomb"): 40 megapixels is far above any photo
# a news item needs.
MAX_PIXELS = 40_000_000


def checked_image(upload) -> tuple[str, str]:
    """(content type, a fresh stored name) for an acceptable image; a DomainError on `image` otherwise. The
    upload is left at its start, ready to be saved."""
    if upload.size > settings.NEWS_IMAGE_MAX_BYTES:
        raise DomainError(
            _("The image is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(settings.NEWS_IMAGE_MAX_BYTES)},
            field="image", code="file_too_large",
        )
    refused = DomainError(_("The image must be a PNG, JPEG or WebP picture."), field="image", code="invalid_image")
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            found = image.format
            width, height = image.size
            if found in IMAGE_FORMATS and width * height <= MAX_PIXELS:
                image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        raise refused from exc
    finally:
        upload.seek(0)
    if found not in IMAGE_FORMATS:
        raise refused
    if width * height > MAX_PIXELS:
        raise DomainError(_("The image is too large: at most %(pixels)s million pixels.")
                          % {"pixels": MAX_PIXELS // 1_000_000}, field="image", code="file_too_large")
    content_type, extension = IMAGE_FORMATS[found]
    return content_type, f"{uuid.uuid4().hex}.{extension}"
