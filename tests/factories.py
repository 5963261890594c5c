import factory
from django.utils import timezone

from alliance.models import Alliance, City
from members.models import Membership, Organization, User
from tests.conftest import new_uscc


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@test.invalid")


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City

    name = factory.Sequence(lambda n: f"测试市{n}")


class AllianceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alliance

    name = factory.Sequence(lambda n: f"测试产教联合体{n}")
    city = factory.SubFactory(CityFactory)
    status = Alliance.Status.ESTABLISHED


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试单位{n}")
    uscc = factory.LazyFunction(new_uscc)
    type = Organization.Type.ENTERPRISE
    size = Organization.Size.SMALL


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    alliance = factory.SubFactory(AllianceFactory)
    organization = factory.SubFactory(OrganizationFactory)
    status = Membership.Status.ACTIVE
    joined_on = factory.LazyFunction(timezone.localdate)
