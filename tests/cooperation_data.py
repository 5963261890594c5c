"""Supply and demand for tests, made through the services (so it is what users would make).

`World` makes each object on first use, by name, inside the test's transaction: a technology need of the
demo `contact` user's enterprise (unpublished, marked public), a published one, a talent need, a core
product, an offer and a response of 淄博职业学院 (whose contact is the demo `school` user), and entries of the
Weifang test alliance for its secretariat.
"""

from django.utils import timezone

from cooperation.models import CoreProduct, Offer, TalentNeed, TechnologyNeed
from cooperation.services import entries, responses
from members.models import Membership, Organization, User
from tests.factories import OrganizationFactory

NEED = {"title": "精密陶瓷部件激光加工工艺", "description": "需要解决氧化锆陶瓷激光切割的崩边与微裂纹问题。",
        "form": "joint_rd", "budget_min": 100_000, "budget_max": 300_000, "visibility": "public"}
TALENT = {"position": "数控车工", "major_code": "460103", "headcount": 5, "visibility": "public"}
PRODUCT = {"name": "氧化锆陶瓷结构件", "description": "精密陶瓷零部件。", "visibility": "public"}
OFFER = {"kind": "major", "title": "数控技术专业", "major_code": "460103", "enrolment": 100, "graduates": 90,
         "visibility": "public"}


def post(model, actor, alliance, organization, **fields):
    return entries.entry_create(model=model, actor=actor, alliance=alliance, organization=organization, **fields)


class World:
    def __init__(self, cast, alliance, other_alliance=None):
        self.cast, self.alliance, self.other_alliance = cast, alliance, other_alliance
        self.secretariat = cast["secretariat"]
        self.contact = cast["contact"]
        self.contact_org = Organization.objects.get(contacts__user=self.contact)
        self.school = User.objects.get(username="school")
        self.school_org = Organization.objects.get(contacts__user=self.school)
        self._made = {}

    def __getitem__(self, name):
        if name not in self._made:
            self._made[name] = getattr(self, f"make_{name}")()
        return self._made[name]

    def ids(self):
        return _Ids(self)

    def make_need(self):
        """Unpublished, marked public: the unit, the alliance's people and the officials read it."""
        return post(TechnologyNeed, self.contact, self.alliance, self.contact_org, **NEED)

    def make_published_need(self):
        need = post(TechnologyNeed, self.contact, self.alliance, self.contact_org,
                    **{**NEED, "title": "陶瓷激光打孔工艺"})
        return entries.entry_publish(entry=need, actor=self.secretariat)

    def make_talent(self):
        return post(TalentNeed, self.contact, self.alliance, self.contact_org, **TALENT)

    def make_product(self):
        return post(CoreProduct, self.contact, self.alliance, self.contact_org, **PRODUCT)

    def make_offer(self):
        return post(Offer, self.school, self.alliance, self.school_org, **OFFER)

    def make_response(self):
        return responses.need_respond(need=self["published_need"], organization=self.school_org, actor=self.school,
                                      note="我校可提供激光加工实训设备与教师团队。")

    def make_response_to_unpublished(self):
        return responses.need_respond(need=self["need"], organization=self.school_org, actor=self.school,
                                      note="我校可以参与。")

    def make_weifang_need(self):
        """A need of the Weifang test alliance (another city), posted by its secretariat."""
        unit = OrganizationFactory()
        Membership.objects.create(alliance=self.other_alliance, organization=unit, status="active",
                                  joined_on=timezone.localdate())
        return post(TechnologyNeed, self.cast["weifang_secretariat"], self.other_alliance, unit, **NEED)


class _Ids(dict):
    def __init__(self, world):
        super().__init__()
        self.world = world

    def __missing__(self, name):
        fixed = {"ht": self.world.alliance.pk, "contact_org": self.world.contact_org.pk,
                 "school_org": self.world.school_org.pk}
        return fixed[name] if name in fixed else self.world[name].pk
