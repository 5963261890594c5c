import django_filters
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from knox import views as knox_views
from knox.models import AuthToken
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.api.filters import CityFilterSet
from kernel.api.lists import OneQueryListMixin
from kernel.api.throttling import FailOpenAnonRateThrottle
from kernel.errors import NotAllowed
from kernel.scope import scope_of
from members import services, two_factor
from members.api.auth import TokenAuthentication
from members.api.serializers import (
    MembershipDecisionSerializer,
    MembershipInputSerializer,
    MembershipOutputSerializer,
    MeSerializer,
    OrganizationInputSerializer,
    OrganizationOutputSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
)
from members.models import Membership, Organization
from members.permissions import can_edit_organization
from members.selectors import (
    membership_get_for_user,
    memberships_for_user,
    organization_get_for_user,
    organizations_for_user,
)


class LoginThrottle(FailOpenAnonRateThrottle):
    scope = "login"


class TokenView(APIView):
    """Exchange a username and password for an API token (`Authorization: Token <token>`).

    An account with two-factor authentication also sends `otp`: the current code of its authenticator
    app, or a recovery code. Without it, or with a wrong one, the answer is 401 and says so. A user
    whose role requires two-factor authentication (TWO_FACTOR_REQUIRED_ROLES) and has not set it up
    gets 403 until they have, in the application."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [LoginThrottle]

    def get_authenticate_header(self, request):
        return "Token"

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer})
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        credentials = serializer.validated_data
        user = authenticate(request, username=credentials["username"], password=credentials["password"])
        if user is None or not user.is_active:
            raise AuthenticationFailed()
        if two_factor.has_two_factor(user):
            if not credentials.get("otp"):
                raise AuthenticationFailed(_("This account uses two-factor authentication: send the code of its "
                                             "authenticator app, or a recovery code, as “otp”."))
            if two_factor.verify_code(user=user, code=credentials["otp"]) is None:
                raise AuthenticationFailed(_("The two-factor code is not right."))
        elif two_factor.is_required(user):
            raise PermissionDenied(_("Your role requires two-factor authentication: set it up in the application "
                                     "first."))
        AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()  # see members/api/auth.py
        instance, token = AuthToken.objects.create(user)
        return Response({"token": token, "expiry": instance.expiry})


@extend_schema_view(post=extend_schema(
    request=None, responses={204: OpenApiResponse(description="The token was revoked.")},
    summary="Revoke the token of this request",
))
class LogoutView(knox_views.LogoutView):
    """Revoke the API token this request carries (`Authorization: Token <token>`): a portal logs itself out."""

    authentication_classes = (TokenAuthentication,)


@extend_schema_view(post=extend_schema(
    request=None, responses={204: OpenApiResponse(description="Every token of the user was revoked.")},
    summary="Revoke every token of the user",
))
class LogoutAllView(knox_views.LogoutAllView):
    """Revoke every API token of the user this request's token belongs to."""

    authentication_classes = (TokenAuthentication,)


class MeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        scope = scope_of(request.user)
        return Response(
            {
                "id": request.user.id,
                "username": request.user.username,
                "full_name": request.user.full_name,
                "roles": scope.roles,
                "seats": sorted(scope.seat_ids),
                "secretariat_of": sorted(scope.secretariat_alliance_ids),
                "official_of": sorted(scope.official_city_ids),
                "contact_for": sorted(scope.contact_organization_ids),
            }
        )


class OrganizationFilter(CityFilterSet):
    alliance = django_filters.NumberFilter(method="filter_alliance", help_text="Active members of this alliance")

    class Meta:
        model = Organization
        fields = ["type", "size", "city", "city_name", "alliance"]

    def filter_alliance(self, queryset, name, value):
        # Through the user's memberships, so a hidden alliance's members cannot be probed.
        return queryset.filter(
            id__in=memberships_for_user(self.request.user)
            .filter(alliance_id=value, status=Membership.Status.ACTIVE).values("organization_id")
        )


class OrganizationViewSet(OneQueryListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """The list is read in one query, its rows written as OrganizationOutputSerializer writes them
    (kernel/api/lists.py; tests/test_api.py compares the two)."""

    serializer_class = OrganizationOutputSerializer
    list_fields = {name: {"city": "city_id", "city_name": "city__name"}.get(name, name)
                   for name in OrganizationOutputSerializer.Meta.fields}
    list_null_when_blank = tuple(OrganizationOutputSerializer.Meta.null_when_blank)
    filterset_class = OrganizationFilter
    search_fields = ["name", "name_en", "=uscc"]
    ordering_fields = ["name", "id"]
    ordering = ["name", "id"]
    pinyin_fields = {"name"}

    def get_queryset(self):
        return organizations_for_user(self.request.user).select_related("city")

    def get_object(self):
        return organization_get_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(request=OrganizationInputSerializer, responses={201: OrganizationOutputSerializer})
    def create(self, request, *args, **kwargs):
        serializer = OrganizationInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        organization = services.organization_create(actor=request.user, **serializer.validated_data)
        return Response(OrganizationOutputSerializer(organization).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OrganizationInputSerializer, responses=OrganizationOutputSerializer)
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(request=OrganizationInputSerializer, responses=OrganizationOutputSerializer)
    def update(self, request, *args, **kwargs):
        organization = self.get_object()
        if not can_edit_organization(request.user, organization):
            raise NotAllowed(_("You may not change this unit's profile."))
        serializer = OrganizationInputSerializer(organization, data=request.data, partial=kwargs.get("partial", False),
                                                 context={"request": request})
        serializer.is_valid(raise_exception=True)
        organization = services.organization_update(
            organization=organization, actor=request.user, **serializer.validated_data
        )
        return Response(OrganizationOutputSerializer(organization).data)


class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                        viewsets.GenericViewSet):
    """Memberships. POST opens one as `applied`; the alliance's secretariat approves it once the unit has
    consented (its contacts applied, or accepted the invitation). Contacts withdraw; the secretariat expels."""

    serializer_class = MembershipOutputSerializer
    filterset_fields = ["alliance", "organization", "role", "status"]
    search_fields = ["organization__name", "=organization__uscc"]
    ordering_fields = ["id", "joined_on", "organization__name"]
    ordering = ["id"]

    def get_queryset(self):
        return memberships_for_user(self.request.user)

    def get_object(self):
        return membership_get_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(request=MembershipInputSerializer, responses={201: MembershipOutputSerializer})
    def create(self, request, *args, **kwargs):
        """Opens a membership as `applied`: an application when a contact of the unit posts it, an
        invitation when the alliance's secretariat does (the unit's contacts then `accept` it)."""
        serializer = MembershipInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        membership = services.membership_request(
            alliance=data["alliance"], organization=data["organization"], actor=request.user,
            role=data.get("role", Membership.Role.MEMBER), statement=data.get("statement", ""),
        )
        return Response(MembershipOutputSerializer(membership).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, pk, service, **extra):
        serializer = MembershipDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            membership = membership_get_for_user(request.user, pk, for_update=True)
            service(membership=membership, actor=request.user, reason=serializer.validated_data["reason"], **{
                key: serializer.validated_data[key] for key in extra if key in serializer.validated_data
            })
        return Response(MembershipOutputSerializer(membership_get_for_user(request.user, pk)).data)

    @extend_schema(request=MembershipDecisionSerializer, responses=MembershipOutputSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, pk, services.membership_approve, role=True)

    @extend_schema(request=None, responses=MembershipOutputSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """A contact of the unit accepts the alliance's invitation (the unit's consent)."""
        with transaction.atomic():
            membership = membership_get_for_user(request.user, pk, for_update=True)
            services.membership_accept(membership=membership, actor=request.user)
        return Response(MembershipOutputSerializer(membership_get_for_user(request.user, pk)).data)

    @extend_schema(request=MembershipDecisionSerializer, responses=MembershipOutputSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, pk, services.membership_reject)

    @extend_schema(request=MembershipDecisionSerializer, responses=MembershipOutputSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._decide(request, pk, services.membership_withdraw)

    @extend_schema(request=MembershipDecisionSerializer, responses=MembershipOutputSerializer)
    @action(detail=True, methods=["post"])
    def expel(self, request, pk=None):
        return self._decide(request, pk, services.membership_expel)
