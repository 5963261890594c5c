from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Organization
from publicity.extensions import subject_kinds
from publicity.models import NewsItem

IMAGE_ACCEPT = "image/png,image/jpeg,image/webp"


class NewsForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=NewsItem.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 12}),
                           help_text=_("Plain text; blank lines separate paragraphs."))
    image = forms.FileField(label=_("Image"), required=False,
                            widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}))
    image_caption = forms.CharField(label=_("Image caption"), max_length=200, required=False)

    def __init__(self, *args, alliance, item: NewsItem | None = None, **kwargs):
        if item is not None:
            kwargs.setdefault("initial", {"kind": item.kind, "title": item.title, "body": item.body,
                                          "image_caption": item.image_caption})
        super().__init__(*args, **kwargs)
        if item is not None and item.image:
            self.fields["remove_image"] = forms.BooleanField(label=_("Remove the image"), required=False)
        # What a typical case describes (publicity/extensions.py): one field per registered kind.
        tagged = {}
        if item is not None:
            for kind, object_id in item.subjects.values_list("kind", "object_id"):
                tagged.setdefault(kind, []).append(object_id)
        for kind in subject_kinds():
            self.fields[f"subject_{kind.name}"] = forms.ModelMultipleChoiceField(
                label=kind.label, queryset=kind.choices(alliance), required=False,
                widget=forms.CheckboxSelectMultiple, initial=tagged.get(kind.name, []),
                help_text=_("For a typical case: what it describes."),
            )

    def subjects(self) -> dict[str, list[int]]:
        return {kind.name: [record.pk for record in self.cleaned_data.get(f"subject_{kind.name}", [])]
                for kind in subject_kinds()}

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {"kind": data["kind"], "title": data["title"], "body": data["body"], "image": data.get("image"),
                "image_caption": data.get("image_caption", ""), "subjects": self.subjects()}


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}),
                           help_text=_("Plain text; blank lines separate paragraphs."))
    important = forms.BooleanField(
        label=_("Important"), required=False,
        help_text=_("Contacts who have not read it are reminded once, some days after it was sent."),
    )
    unit_types = forms.MultipleChoiceField(
        label=_("Unit types"), choices=Organization.Type.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None chosen: the contacts of every member unit."),
    )
