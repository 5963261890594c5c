"""Pages of the four lists: browse (anyone reads what is published and public), post and keep (a unit's
contacts, the secretariat), curate (the secretariat), respond and decide (technology needs)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.models import IndustrialChain
from alliance.selectors import alliance_choices_for_user
from cooperation import selectors
from cooperation.catalogue import MAJOR_CATEGORIES
from cooperation.forms import DecisionForm, ListFilterForm, MergeForm, RespondForm, entry_form_class
from cooperation.kinds import kind_named, kind_of
from cooperation.models import TalentNeed, TechnologyNeed
from cooperation.permissions import (
    can_curate,
    can_edit_entry,
    can_post_anything,
    can_record_any_project,
    can_see_suggestions,
)
from cooperation.services import entries, responses
from cooperation.services.entries import CLOSABLE, FIELDS
from cooperation.suggestions import describe
from cooperation.views.common import PAGE_SIZE, act, fail, query_without_page, refused
from kernel.counts import Paginator
from kernel.errors import DomainError
from members.permissions import can_act_for


def detail_url(entry) -> str:
    return reverse("cooperation:detail", args=[kind_of(entry).slug, entry.pk])


def _rows(request, kind):
    if kind.model is TechnologyNeed:
        return selectors.technology_needs_for_user(request.user)
    return selectors.entries_for_user(request.user, kind.model)


def _filtered(request, kind):
    form = ListFilterForm(request.GET or None, model=kind.model, alliances=alliance_choices_for_user(request.user))
    rows = _rows(request, kind)
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("q"):
        text = Q()
        for name in kind.search_fields:
            text |= Q(**{f"{name}__icontains": data["q"]})
        rows = rows.filter(text)
    if data.get("alliance"):
        rows = rows.filter(alliance=data["alliance"])
    status = data.get("status", "")
    if status == ListFilterForm.ALL:
        pass
    elif status:
        rows = rows.filter(status=status)
    else:
        rows = rows.exclude(status=kind.model.CLOSED)
    for name in ("year", "major_category", "kind"):
        if data.get(name):
            rows = rows.filter(**{name: data[name]})
    return form, rows.order_by("-id")


def entry_list(request, kind):
    kind = kind_named(kind)
    form, rows = _filtered(request, kind)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"kind": kind, "form": form, "page": page, "query": query_without_page(request),
               "can_post": can_post_anything(request.user)}
    template = "cooperation/_entry_table.html" if request.htmx else "cooperation/entry_list.html"
    return render(request, template, context)


def _form_choices(request, model):
    alliances, organizations = selectors.posting_choices(request.user, model)
    chains = IndustrialChain.objects.filter(city_id__in=alliances.values("city_id")).order_by("name")
    return {"alliances": alliances, "organizations": organizations, "chains": chains}


def _form_page(request, kind, form, entry=None, status=200):
    return render(request, "cooperation/entry_form.html",
                  {"kind": kind, "form": form, "entry": entry, "categories": MAJOR_CATEGORIES}, status=status)


@login_required
def entry_create(request, kind):
    kind = kind_named(kind)
    if not can_post_anything(request.user):
        return refused(request, _("Only a member unit's contacts and the alliance's secretariat post entries."))
    choices = _form_choices(request, kind.model)
    form_class = entry_form_class(kind.model, creating=True)
    if request.method != "POST":
        initial = {name: request.GET.get(name) for name in ("alliance", "organization") if request.GET.get(name)}
        if choices["organizations"].count() == 1:
            initial.setdefault("organization", choices["organizations"].first())
        return _form_page(request, kind, form_class(initial=initial, **choices))
    form = form_class(request.POST, **choices)
    status = 400
    if form.is_valid():
        data = {name: form.cleaned_data[name] for name in FIELDS[kind.model] if name in form.cleaned_data}
        try:
            entry = entries.entry_create(model=kind.model, actor=request.user, alliance=form.cleaned_data["alliance"],
                                         organization=form.cleaned_data["organization"], **data)
        except DomainError as exc:
            status = fail(request, exc, form)
        else:
            messages.success(request, _("Posted."))
            return redirect(detail_url(entry))
    return _form_page(request, kind, form, status=status)


@login_required
def entry_edit(request, kind, pk):
    kind = kind_named(kind)
    entry = selectors.entry_get_for_user(request.user, kind.model, pk)
    if not can_edit_entry(request.user, entry):
        return refused(request, _("Only a contact of the unit or the alliance's secretariat changes this entry."))
    form_class = entry_form_class(kind.model, creating=False)
    chains = IndustrialChain.objects.filter(city_id=entry.alliance.city_id).order_by("name")
    if request.method != "POST":
        return _form_page(request, kind, form_class(instance=entry, chains=chains), entry)
    # The form parses into a copy: the service changes the stored entry (or refuses, leaving it as it was).
    form = form_class(request.POST, instance=kind.model.objects.get(pk=entry.pk), chains=chains)
    status = 400
    if form.is_valid():
        try:
            entries.entry_update(entry=entry, actor=request.user,
                                 **{name: form.cleaned_data[name] for name in form.changed_data})
        except DomainError as exc:
            status = fail(request, exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect(detail_url(entry))
    return _form_page(request, kind, form, entry, status=status)


def entry_detail(request, kind, pk):
    kind = kind_named(kind)
    entry = selectors.entry_get_for_user(request.user, kind.model, pk)
    user = request.user
    editable = can_edit_entry(user, entry)
    curator = can_curate(user, entry.alliance)
    live = entry.status != entry.CLOSED and entry.merged_into_id is None
    context = {
        "kind": kind, "entry": entry, "can_edit": editable and live,
        "can_close": editable and entry.status in CLOSABLE[kind.model] and entry.merged_into_id is None,
        "can_publish": curator and live and entry.published_at is None,
        "merge_form": MergeForm() if curator and live else None,
    }
    if isinstance(entry, TechnologyNeed):
        context["can_solve"] = editable and entry.status in (TechnologyNeed.Status.MATCHED,
                                                             TechnologyNeed.Status.CONTRACTED)
        context["responses"] = selectors.responses_of_need(user, entry)
        context["can_decide"] = can_act_for(user, entry.organization)
        units = selectors.responder_units(user).exclude(pk=entry.organization_id)
        if entry.status == TechnologyNeed.Status.OPEN and units.exists():
            context["respond_form"] = RespondForm(organizations=units)
        context["decision_form"] = DecisionForm()
        context["can_make_project"] = (entry.status in (TechnologyNeed.Status.MATCHED, TechnologyNeed.Status.CONTRACTED)
                                       and can_record_any_project(user))
    if isinstance(entry, TechnologyNeed | TalentNeed) and can_see_suggestions(user, entry):
        context["suggestions"] = [(suggestion, describe(suggestion.reasons))
                                  for suggestion in selectors.suggestions_of(entry)]
    return render(request, "cooperation/entry_detail.html", context)


ACTIONS = {
    "publish": (entries.entry_publish, _("Published.")),
    "close": (entries.entry_close, _("Closed.")),
}


@login_required
@require_POST
def entry_action(request, kind, pk, verb):
    kind = kind_named(kind)
    entry = selectors.entry_get_for_user(request.user, kind.model, pk)
    done = detail_url(entry)
    if verb in ACTIONS:
        service, success = ACTIONS[verb]
        return act(request, lambda: service(entry=entry, actor=request.user), success=str(success), done=done)
    if verb == "solve" and kind.model is TechnologyNeed:
        return act(request, lambda: entries.need_solve(need=entry, actor=request.user), success=_("Marked solved."),
                   done=done)
    if verb == "merge":
        form = MergeForm(request.POST)
        into = None
        if form.is_valid():
            into = selectors.entries_for_user(request.user, kind.model).filter(pk=form.cleaned_data["into"]).first()
        if into is None:
            messages.error(request, _("There is no such entry in this list."))
            return redirect(done)
        return act(request, lambda: entries.entry_merge(entry=entry, into=into, actor=request.user),
                   success=_("Closed as a duplicate."), done=done)
    raise Http404


@login_required
@require_POST
def respond(request, pk):
    need = selectors.entry_get_for_user(request.user, TechnologyNeed, pk)
    units = selectors.responder_units(request.user).exclude(pk=need.organization_id)
    if not units.exists():
        return refused(request, _("Only a contact of a school or research institute responds to a need."))
    form = RespondForm(request.POST, organizations=units)
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
        return redirect(detail_url(need))
    return act(request, lambda: responses.need_respond(need=need, actor=request.user, **form.cleaned_data),
               success=_("Your response was sent to the enterprise."), done=detail_url(need))


DECISIONS = {"accept": (responses.response_accept, _("The response was accepted: the need is matched.")),
             "decline": (responses.response_decline, _("The response was declined."))}


@login_required
@require_POST
def response_decide(request, pk, decision):
    if decision not in DECISIONS:
        raise Http404
    response = selectors.response_get_for_user(request.user, pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    service, success = DECISIONS[decision]
    return act(request, lambda: service(response=response, actor=request.user, note=note), success=str(success),
               done=detail_url(response.need))

