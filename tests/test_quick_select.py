"""kernel.forms.QuickSelect writes what Django's select templates write, in one query for a model choice."""

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliance.models import City
from kernel.forms import Form, QuickSelect
from tests.factories import AllianceFactory

pytestmark = pytest.mark.django_db


class Filters(Form):
    city = forms.ModelChoiceField(queryset=City.objects.order_by("id"), required=False)
    level = forms.ChoiceField(choices=[("", "全部"), ("provincial", "省级"), ("municipal", "市级 <&>")])
    grouped = forms.ChoiceField(required=False, choices=[("", "—"), ("组", [("a", "甲"), ("b", "乙")])])


def django_html(form, name):
    """The field as Django's own Select would write it."""
    field = form[name]
    widget = forms.Select(attrs=field.field.widget.attrs, choices=field.field.widget.choices)
    widget.is_required = field.field.widget.is_required
    return field.as_widget(widget=widget)


@pytest.mark.parametrize("data", [None, {"level": "municipal"}, {"level": "nope", "city": "x"}])
def test_the_html_is_djangos(data):
    AllianceFactory.create_batch(3)
    form = Filters(data)
    if data:
        form.is_valid()
    assert type(form.fields["city"].widget) is QuickSelect and type(form.fields["level"].widget) is QuickSelect
    for name in ("city", "level", "grouped"):
        assert str(form[name]) == django_html(form, name), name
    assert ' selected>市级 &lt;&amp;&gt;</option>' in str(form["level"]) or data != {"level": "municipal"}


def test_a_model_choice_is_read_in_one_query():
    AllianceFactory.create_batch(3)
    form = Filters()
    with CaptureQueriesContext(connection) as context:
        html = str(form["city"])
    assert len(context.captured_queries) == 1
    assert html.count("<option") == City.objects.count() + 1
