import pytest
from auditlog.models import LogEntry

from alliance import services
from alliance.models import Alliance
from kernel.errors import DomainError, NotAllowed, StateConflict

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(cast):
    from alliance.models import City

    return services.alliance_create(actor=cast["official"], city=City.objects.get(name="淄博市"),
                                    name="淄博新能源产教联合体")


def test_an_official_registers_a_proposal_with_its_first_history_entry(cast, proposal):
    assert proposal.status == Alliance.Status.PROPOSED
    change = proposal.status_changes.get()
    assert (change.from_status, change.to_status, change.actor) == ("", "proposed", cast["official"])


def test_an_official_cannot_register_in_another_city(cast):
    from alliance.models import City

    with pytest.raises(NotAllowed):
        services.alliance_create(actor=cast["weifang_official"], city=City.objects.get(name="淄博市"), name="X")


def test_the_lifecycle_records_who_when_and_why(cast, proposal):
    services.alliance_transition(alliance=proposal, to_status="under_review", reason="材料齐全", actor=cast["official"])
    services.alliance_transition(alliance=proposal, to_status="established", reason="评审通过", actor=cast["official"])
    history = list(proposal.status_changes.order_by("changed_at", "id").values_list("from_status", "to_status", "reason"))
    assert history[1:] == [("proposed", "under_review", "材料齐全"), ("under_review", "established", "评审通过")]
    assert Alliance.objects.get(pk=proposal.pk).status == "established"


@pytest.mark.parametrize("target", ["established", "rectifying", "revoked"])
def test_a_proposal_cannot_skip_its_review(cast, proposal, target):
    with pytest.raises(StateConflict):
        services.alliance_transition(alliance=proposal, to_status=target, reason="跳过", actor=cast["official"])
    assert Alliance.objects.get(pk=proposal.pk).status == "proposed"
    assert proposal.status_changes.count() == 1


def test_revoked_is_final(cast, high_tech):
    services.alliance_transition(alliance=high_tech, to_status="revoked", reason="考核不合格", actor=cast["official"])
    with pytest.raises(StateConflict):
        services.alliance_transition(alliance=high_tech, to_status="established", reason="恢复", actor=cast["official"])


def test_a_transition_needs_a_reason(cast, proposal):
    with pytest.raises(DomainError):
        services.alliance_transition(alliance=proposal, to_status="under_review", reason="  ", actor=cast["official"])


def test_the_secretariat_may_only_submit_its_own_proposal_for_review(cast, high_tech):
    with pytest.raises(NotAllowed):
        services.alliance_transition(alliance=high_tech, to_status="rectifying", reason="自查", actor=cast["secretariat"])
    Alliance.objects.filter(pk=high_tech.pk).update(status="proposed")
    high_tech.refresh_from_db()
    services.alliance_transition(alliance=high_tech, to_status="under_review", reason="提交审核",
                                 actor=cast["secretariat"])


def test_directors_and_outsiders_cannot_change_the_status(cast, high_tech):
    for who in ("director1", "contact", "expert1", "outsider", "weifang_official"):
        with pytest.raises(NotAllowed):
            services.alliance_transition(alliance=high_tech, to_status="rectifying", reason="x", actor=cast[who])


def test_alliance_edits_are_audited(cast, high_tech):
    services.alliance_update(alliance=high_tech, actor=cast["secretariat"], entity_form="理事会领导下的实体公司")
    entry = LogEntry.objects.get_for_object(high_tech).latest("timestamp")
    assert entry.actor == cast["secretariat"]
    assert entry.changes_dict["entity_form"][1] == "理事会领导下的实体公司"
