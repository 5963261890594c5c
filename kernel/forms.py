"""The project's form bases: labels and empty choices that read well in the user's language.

- Labels end with the suffix the catalogue gives (the full-width "：" in Chinese, ":" in English).
- A record in a drop-down is named in the reader's language (kernel/names.py).
- An empty choice reads "Choose…" (请选择…) on forms that edit something, "All…" (全部…) on filter forms
  (`empty_choice = EMPTY_FILTER_CHOICE`), never Django's "---------".
Every form of the apps derives from Form or ModelForm here.
"""

from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kernel.names import display_name

LABEL_SUFFIX = pgettext_lazy("form label suffix", ":")
EMPTY_CHOICE = _("Choose…")
EMPTY_FILTER_CHOICE = _("All…")
DASHES = BLANK_CHOICE_DASH[0][1]


def _shown_name(obj) -> str:
    return display_name(obj) if hasattr(obj, "name_en") else str(obj)


def word_choices(form, empty_label) -> None:
    """Empty choices worded (`empty_label`), records named in the reader's language."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == DASHES:
                field.empty_label = empty_label
            if type(field).label_from_instance is forms.ModelChoiceField.label_from_instance:
                field.label_from_instance = _shown_name
        elif isinstance(field, forms.ChoiceField):
            choices = list(field.choices)
            if any(value == "" and text == DASHES for value, text in choices):
                field.choices = [(value, empty_label if value == "" and text == DASHES else text)
                                 for value, text in choices]


def _attributes(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html writes them, in their order: True alone, False left out."""
    return "".join("" if value is False else f" {conditional_escape(name)}" if value is True
                   else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
                   for name, value in attrs.items())


class QuickSelect(forms.Select):
    """A drop-down written out in Python, byte for byte what Django's select.html and select_option.html write,
    without the two templates rendered for every option (a filter of 150 alliances cost a third of the member
    register's rendering). Choices in groups are left to Django's templates."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = [choice for choice in self.choices]  # noqa: C416 (list() would ask a model choice field's len(): a COUNT)
        if any(isinstance(label, (list, tuple)) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        values = self.format_value(value)
        options, has_selected = [], False
        for option_value, label in choices:
            option_value = "" if option_value is None else option_value
            selected = not has_selected and str(option_value) in values
            has_selected |= selected
            options.append(format_html('\n  <option value="{}"{}>{}</option>\n', str(option_value),
                                       mark_safe(" selected") if selected else "", label))
        head = format_html('<select name="{}"{}>', name, mark_safe(_attributes(self.build_attrs(self.attrs, attrs))))
        return mark_safe(head + "".join(options) + "\n</select>")


class FormDefaults:
    empty_choice = EMPTY_CHOICE

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", LABEL_SUFFIX)
        super().__init__(*args, **kwargs)
        word_choices(self, self.empty_choice)
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                quick = QuickSelect(attrs=field.widget.attrs)
                quick.choices, quick.is_required = field.widget.choices, field.widget.is_required
                field.widget = quick


class Form(FormDefaults, forms.Form):
    pass


class ModelForm(FormDefaults, forms.ModelForm):
    pass
