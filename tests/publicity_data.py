"""News, typical cases and announcements for tests, made through the services (what users would make)."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from publicity import services


def picture(fmt: str = "PNG", size=(6, 4)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, (179, 38, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(content: bytes, name: str = "photo.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    return upload(picture("PNG"), name)


def draft(alliance, secretariat, *, kind: str = "news", title: str = "联合体举办供需对接会", body: str = "正文。",
          **fields):
    return services.news_create(alliance=alliance, actor=secretariat, kind=kind, title=title, body=body, **fields)


def published(alliance, secretariat, **fields):
    return services.news_publish(item=draft(alliance, secretariat, **fields), actor=secretariat)


def announcement(alliance, secretariat, *, title: str = "关于报送三张清单的通知", body: str = "请各成员单位按时报送。",
                 send: bool = True, **fields):
    made = services.announcement_create(alliance=alliance, actor=secretariat, title=title, body=body, **fields)
    if send:
        services.announcement_send(announcement=made, actor=secretariat)
        made.refresh_from_db()
    return made
