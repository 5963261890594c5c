from kernel.scope import scope_of


def navigation(request):
    return {"nav_scope": scope_of(getattr(request, "user", None))}
