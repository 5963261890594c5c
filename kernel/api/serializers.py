"""Serializer helpers the apps' API serializers share."""


class NullWhenBlankMixin:
    """`Meta.null_when_blank`: fields whose empty string means "none yet" (a choice not made, a link not given,
    a reason or note not written), answered as null rather than "" and documented as nullable."""

    def get_fields(self):
        fields = super().get_fields()
        for name in getattr(self.Meta, "null_when_blank", ()):
            fields[name].allow_null = True
            if hasattr(fields[name], "allow_blank"):
                fields[name].allow_blank = False
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in getattr(self.Meta, "null_when_blank", ()):
            if data.get(name) == "":
                data[name] = None
        return data


class BlankWhenNullMixin:
    """`Meta.blank_when_null`: input fields stored as "" when empty, which also accept null for "none"
    (what the output answers for them)."""

    def to_internal_value(self, data):
        names = getattr(self.Meta, "blank_when_null", ())
        if isinstance(data, dict) and any(data.get(name, "") is None for name in names):
            data = {**data, **{name: "" for name in names if name in data and data[name] is None}}
        return super().to_internal_value(data)
