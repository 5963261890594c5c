from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from members.models import Contact, Invitation, Membership, Organization, RoleGrant, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + ((None, {"fields": ("full_name", "phone", "language")}),)
    list_display = ["username", "full_name", "email", "is_staff"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "uscc", "type", "size", "city"]
    list_select_related = ["city"]
    list_filter = ["type", "size"]
    search_fields = ["name", "uscc"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["organization", "alliance", "role", "status", "joined_on"]
    list_select_related = ["organization", "alliance"]
    list_filter = ["status", "role"]
    raw_id_fields = ["organization", "alliance", "decided_by"]
    readonly_fields = ["status"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "title"]
    list_select_related = ["user", "organization"]
    raw_id_fields = ["user", "organization"]


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "alliance", "city", "granted_at"]
    list_select_related = ["user", "alliance", "city"]
    list_filter = ["role"]
    raw_id_fields = ["user", "alliance", "city", "granted_by"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read only: invitations are sent, accepted and withdrawn through the pages (members/invitations.py)."""

    list_display = ["email", "description", "invited_by", "created_at", "expires_at", "accepted_at", "withdrawn_at"]
    search_fields = ["email"]
    raw_id_fields = ["user", "invited_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
