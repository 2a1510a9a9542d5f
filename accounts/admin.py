from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count

from blogsite.text import printable

from . import permissions
from .forms import AdminAuthenticationForm
from .models import User

# The admin's sign-in form says so when the sign-in limit refused an attempt, as ours does.
admin.site.login_form = AdminAuthenticationForm


class OneLineSearchChangeList(ChangeList):
    """The search box shows what was searched on one line: an ``<input>`` value holds no line break."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.query = printable(self.query)


class OneLineSearch:
    """For every admin list with a search box (``?q=a%0Ab`` made the page invalid HTML)."""

    def get_changelist(self, request, **kwargs):
        return OneLineSearchChangeList


class EditorsOnlyAdmin(OneLineSearch, admin.ModelAdmin):
    """Editors manage these models in the admin, following Blogsite's own roles."""

    def has_module_permission(self, request):
        return permissions.can_review(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_review(request.user)

    def has_add_permission(self, request):
        return permissions.can_review(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.can_review(request.user)

    def has_delete_permission(self, request, obj=None):
        return permissions.can_review(request.user)


@admin.register(User)
class UserAdmin(OneLineSearch, DjangoUserAdmin):
    """Users and their roles; the role sets the staff and superuser flags by itself."""

    list_display = ["username", "display_name", "email", "role", "post_count", "is_active", "date_joined"]
    list_filter = ["role", "is_active"]
    list_editable = ["role"]
    search_fields = ["username", "display_name", "email"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Profile", {"fields": ["display_name", "email", "bio"]}),
        ("Role", {"fields": ["role", "is_active"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "email", "role", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_count=Count("posts"))

    @admin.display(ordering="post_count", description="Posts")
    def post_count(self, user):
        return user.post_count
