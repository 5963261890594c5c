import pytest
from auditlog.models import LogEntry
from django.db import IntegrityError, transaction

from governance.models import Seat
from kernel.errors import DomainError, NotAllowed, StateConflict
from kernel.models import Notification
from members import services
from members.models import Contact, Membership, Organization, RoleGrant
from tests.conftest import new_uscc
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(cast):
    """The demo contact's enterprise, applying to a second alliance."""
    return Organization.objects.get(contacts__user=cast["contact"])


@pytest.fixture
def electronic(db):
    from alliance.models import Alliance

    return Alliance.objects.get(name="淄博电子信息产教联合体")


def test_contact_applies_and_secretariat_of_that_alliance_approves(cast, applicant, high_tech):
    Membership.objects.filter(organization=applicant, alliance=high_tech).update(status="withdrawn")
    membership = services.membership_apply(alliance=high_tech, organization=applicant, actor=cast["contact"],
                                           statement="我们希望加入")
    assert membership.status == Membership.Status.APPLIED
    assert membership.applied_on is not None

    approved = services.membership_approve(membership=membership, actor=cast["secretariat"], role="director")
    assert approved.status == Membership.Status.ACTIVE
    assert approved.role == "director"
    assert approved.joined_on is not None
    assert approved.decided_by == cast["secretariat"]


def test_rejection_needs_a_reason_and_saves_nothing_without_one(cast, applicant, electronic):
    membership = services.membership_apply(alliance=electronic, organization=applicant, actor=cast["contact"])
    with pytest.raises(DomainError):
        services.membership_reject(membership=membership, actor=cast["official"], reason="")
    with pytest.raises(NotAllowed):
        services.membership_reject(membership=membership, actor=cast["secretariat"], reason="不符合条件")
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPLIED


def test_secretariat_of_another_alliance_cannot_approve(cast, applicant, electronic):
    membership = services.membership_apply(alliance=electronic, organization=applicant, actor=cast["contact"])
    with pytest.raises(NotAllowed):
        services.membership_approve(membership=membership, actor=cast["secretariat"])


def test_only_a_contact_of_the_unit_can_apply(cast, electronic):
    stranger_unit = OrganizationFactory()
    with pytest.raises(NotAllowed):
        services.membership_apply(alliance=electronic, organization=stranger_unit, actor=cast["contact"])


def test_applying_twice_is_a_conflict(cast, applicant, electronic):
    services.membership_apply(alliance=electronic, organization=applicant, actor=cast["contact"])
    with pytest.raises(StateConflict):
        services.membership_apply(alliance=electronic, organization=applicant, actor=cast["contact"])


def test_an_active_member_cannot_apply_again(cast, applicant, high_tech):
    with pytest.raises(StateConflict):
        services.membership_apply(alliance=high_tech, organization=applicant, actor=cast["contact"])


def test_the_database_allows_one_open_membership_per_unit_and_alliance(applicant, high_tech):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(alliance=high_tech, organization=applicant, status="applied")


def test_a_unit_may_rejoin_after_withdrawing(cast, applicant, high_tech):
    membership = Membership.objects.get(alliance=high_tech, organization=applicant, status="active")
    services.membership_withdraw(membership=membership, actor=cast["contact"], reason="战略调整")
    membership.refresh_from_db()
    assert membership.status == Membership.Status.WITHDRAWN
    assert membership.left_on is not None
    again = services.membership_apply(alliance=high_tech, organization=applicant, actor=cast["contact"])
    assert again.status == Membership.Status.APPLIED


@pytest.mark.parametrize("status", ["rejected", "withdrawn", "expelled"])
def test_closed_memberships_cannot_be_decided_again(cast, high_tech, status):
    unit = OrganizationFactory()
    Contact.objects.create(user=cast["outsider"], organization=unit)
    membership = Membership.objects.create(alliance=high_tech, organization=unit, status=status, decision_reason="x")
    for service in (services.membership_approve, services.membership_reject, services.membership_expel):
        with pytest.raises(StateConflict):
            service(membership=membership, actor=cast["secretariat"], reason="理由")
    with pytest.raises(StateConflict):
        services.membership_withdraw(membership=membership, actor=cast["outsider"])


def test_the_secretariat_expels_but_never_withdraws_a_unit(cast, applicant, high_tech):
    membership = Membership.objects.get(alliance=high_tech, organization=applicant, status="active")
    with pytest.raises(NotAllowed):
        services.membership_withdraw(membership=membership, actor=cast["secretariat"])
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE


def test_expelling_ends_the_units_council_seat(cast, high_tech):
    seat = Seat.objects.get(user=cast["director1"])
    membership = Membership.objects.get(alliance=high_tech, organization=seat.organization, status="active")
    services.membership_expel(membership=membership, actor=cast["secretariat"], reason="严重违反章程")
    seat.refresh_from_db()
    assert seat.term_end is not None
    membership.refresh_from_db()
    assert membership.status == Membership.Status.EXPELLED


def test_every_membership_change_is_audited_with_its_actor(cast, applicant, electronic):
    membership = services.membership_apply(alliance=electronic, organization=applicant, actor=cast["contact"])
    services.membership_withdraw(membership=membership, actor=cast["contact"])
    entries = LogEntry.objects.get_for_object(membership).order_by("timestamp")
    assert [entry.action for entry in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert all(entry.actor == cast["contact"] for entry in entries)
    assert entries.last().changes_dict["status"] == ["applied", "withdrawn"]


def test_role_grants_are_audited(cast, high_tech):
    grant = services.role_grant_create(actor=cast["official"], user=cast["outsider"], role="secretariat",
                                       alliance=high_tech)
    grant_pk = grant.pk
    services.role_grant_revoke(grant=grant, actor=cast["official"])
    actions = list(LogEntry.objects.filter(object_pk=str(grant_pk), content_type__model="rolegrant")
                   .values_list("action", "actor__username"))
    assert (LogEntry.Action.CREATE, "official") in actions
    assert (LogEntry.Action.DELETE, "official") in actions


# Notices: put into the outbox in the service's transaction ----------------------------------


def notices_of(membership):
    return {n.key: n for n in Notification.objects.filter(key__startswith=f"membership:{membership.pk}:")}


def test_an_application_notifies_each_active_secretary_once_in_their_language(cast, applicant, electronic):
    english, chinese, former = UserFactory(language="en"), UserFactory(language="zh-hans"), UserFactory(is_active=False)
    for user in (english, chinese, former):
        RoleGrant.objects.create(user=user, role="secretariat", alliance=electronic)

    membership = services.membership_apply(alliance=electronic, organization=applicant, actor=cast["contact"])

    notices = notices_of(membership)
    assert sorted(notices) == sorted(f"membership:{membership.pk}:applied:{user.pk}" for user in (english, chinese))
    in_english = notices[f"membership:{membership.pk}:applied:{english.pk}"]
    assert in_english.subject == f"{applicant.name} applied to join {electronic.name}"
    assert "Please review the application." in in_english.body
    assert in_english.url == f"/memberships/{membership.pk}/"
    assert notices[f"membership:{membership.pk}:applied:{chinese.pk}"].subject == (
        f"{applicant.name} 申请加入 {electronic.name}"
    )
    assert all(notice.mail_status == "pending" for notice in notices.values())


def test_a_decision_notifies_the_units_active_contacts_with_the_reason(cast, applicant, electronic):
    english, former = UserFactory(language="en"), UserFactory(is_active=False)
    for user in (english, former):
        Contact.objects.create(user=user, organization=applicant)
    membership = services.membership_apply(alliance=electronic, organization=applicant, actor=cast["contact"])
    secretary = UserFactory()
    RoleGrant.objects.create(user=secretary, role="secretariat", alliance=electronic)

    services.membership_reject(membership=membership, actor=secretary, reason="材料不全")

    keys = {key for key in notices_of(membership) if ":rejected:" in key}
    assert keys == {f"membership:{membership.pk}:rejected:{user.pk}" for user in (cast["contact"], english)}
    notice = notices_of(membership)[f"membership:{membership.pk}:rejected:{english.pk}"]
    assert notice.subject == f"Membership of {electronic.name}: Rejected"
    assert notice.body == f"The membership of {applicant.name} in {electronic.name} is now: Rejected.\nReason: 材料不全"


def test_a_failed_application_leaves_no_notice(cast, applicant, electronic):
    services.membership_apply(alliance=electronic, organization=applicant, actor=cast["contact"])
    before = Notification.objects.count()
    with pytest.raises(StateConflict):
        services.membership_apply(alliance=electronic, organization=applicant, actor=cast["contact"])
    assert Notification.objects.count() == before


def test_only_an_enterprise_keeps_a_size(cast, applicant):
    unit = services.organization_update(organization=applicant, actor=cast["contact"], type="enterprise",
                                        size="small")
    assert Organization.objects.get(pk=unit.pk).size == "small"
    services.organization_update(organization=applicant, actor=cast["contact"], type="park", size="large")
    assert Organization.objects.get(pk=unit.pk).size == ""
    school = services.organization_create(actor=cast["secretariat"], uscc=new_uscc(), name="某职业学院",
                                          type="higher_vocational", size="large")
    assert (Organization.has_size(school.type), Organization.objects.get(pk=school.pk).size) == (False, "")
