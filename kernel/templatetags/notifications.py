"""`{% notification_badge %}`: a link to the user's notifications with the number unread."""

from django import template

from kernel.notify import unread_count

register = template.Library()


@register.inclusion_tag("kernel/_notification_badge.html", takes_context=True)
def notification_badge(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"signed_in": bool(user and user.is_authenticated), "unread": unread_count(user)}
