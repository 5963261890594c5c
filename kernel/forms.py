"""The project's form bases: labels and empty choices that read well in the user's language.

- Labels end with the suffix the catalogue gives (the full-width "：" in Chinese, ":" in English).
- A record in a drop-down is named in the reader's language (kernel/names.py).
- An empty choice reads "Choose…" (请选择…) on forms that edit something, "All…" (全部…) on filter forms
  (`empty_choice = EMPTY_FILTER_CHOICE`), never Django's "---------".
Every form of the apps derives from Form or ModelForm here.
"""

from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH
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


class FormDefaults:
    empty_choice = EMPTY_CHOICE

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", LABEL_SUFFIX)
        super().__init__(*args, **kwargs)
        word_choices(self, self.empty_choice)


class Form(FormDefaults, forms.Form):
    pass


class ModelForm(FormDefaults, forms.ModelForm):
    pass
