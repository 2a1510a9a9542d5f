from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.utils.html import format_html

from accounts import permissions
from accounts.admin import EditorsOnlyAdmin

from . import services
from .models import Post, Revision, Tag

VERSION_FIELD = "_version_"
CHANGED_SINCE = "“{}” changed since this list was shown: nothing was done to it. Look at it again."


class StatusFilter(admin.SimpleListFilter):
    """The statuses a writer sees, with scheduled posts told apart from the ones that are live."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("draft", "Draft"), ("review", "In review"), ("scheduled", "Scheduled"), ("live", "Live")]

    def queryset(self, request, queryset):
        status = {"live": Post.Status.PUBLISHED}.get(self.value(), self.value())
        if status in ("draft", "review", "scheduled", "published"):
            return queryset.in_status(status)
        return queryset


@admin.register(Tag)
class TagAdmin(EditorsOnlyAdmin):
    list_display = ["name", "slug", "post_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_count=Count("posts"))

    @admin.display(ordering="post_count", description="Posts")
    def post_count(self, tag):
        return tag.post_count


class RevisionInline(admin.TabularInline):
    """A post's saved states, newest first; read-only (restore from the editor page)."""

    model = Revision
    fk_name = "post"
    fields = ["number", "note", "created_by", "created_at", "title", "tags"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False
    ordering = ["-number"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return permissions.can_review(request.user)


class PostAdminForm(forms.ModelForm):
    """The admin's post form: the same tag rules as the editor and the API (``Tag.clean_names``)."""

    def clean_tags(self):
        tags = self.cleaned_data["tags"]
        Tag.clean_names([tag.name for tag in tags])
        return tags


@admin.register(Post)
class PostAdmin(EditorsOnlyAdmin):
    form = PostAdminForm
    list_display = ["title", "author", "status_label", "tag_names", "published_at", "updated_at", "on_site"]
    list_filter = [StatusFilter, "is_page", ("author", admin.RelatedOnlyFieldListFilter), "tags"]
    list_select_related = ["author"]
    search_fields = ["title", "slug", "body", "author__username", "author__display_name"]
    date_hierarchy = "published_at"
    filter_horizontal = ["tags"]
    readonly_fields = ["slug", "created_at", "updated_at", "reading_time_minutes"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "author", "status", "published_at"]}),
        ("Content", {"fields": ["body", "excerpt", "tags"]}),
        ("Page", {"fields": ["is_page", "nav_order"]}),
        ("Details", {"fields": ["reading_time_minutes", "created_at", "updated_at"]}),
    ]
    actions = ["publish_now", "unpublish"]
    inlines = [RevisionInline]

    def save_related(self, request, form, formsets, change):
        """An edit in the admin is a save like any other: it keeps a revision."""
        super().save_related(request, form, formsets, change)
        services.revision_record(post=form.instance, by=request.user, note="Saved in the admin")

    def get_queryset(self, request):
        tags = Prefetch("tags", queryset=Tag.objects.order_by("name").only("name"))
        # The list never shows the words: leave the (up to 200,000 character) bodies in the database.
        return super().get_queryset(request).prefetch_related(tags).defer("body", "body_html")

    def has_change_permission(self, request, obj=None):
        return permissions.can_review(request.user) and (
            obj is None or permissions.can_edit(request.user, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return permissions.can_review(request.user) and (
            obj is None or permissions.can_delete(request.user, obj)
        )

    @admin.display(description="Status", ordering="status")
    def status_label(self, post):
        """The status, and (hidden) the version this list shows, so an action applies to that version."""
        label = {"review": "In review"}.get(post.display_status, post.display_status.capitalize())
        hidden = '<input type="hidden" name="{}{}" value="{}">{}'
        return format_html(hidden, VERSION_FIELD, post.pk, post.version, label)

    @admin.display(description="Tags")
    def tag_names(self, post):
        return ", ".join(tag.name for tag in post.tags.all())

    @admin.display(description="On site")
    def on_site(self, post):
        """Live posts have a public address; the rest open as the preview editors may see."""
        label = "View" if post.is_public else "Preview"
        return format_html('<a href="{}">{}</a>', post.get_absolute_url(), label)

    @admin.action(description="Publish the selected posts now")
    def publish_now(self, request, queryset):
        """Publishes each post as the version the list showed; a post changed since is refused."""
        self._run(request, queryset, "publish", "published")

    @admin.action(description="Unpublish the selected posts")
    def unpublish(self, request, queryset):
        self._run(request, queryset, "unpublish", "back to draft")

    def _run(self, request, queryset, action, done):
        """Do a writer's action to each post through the workflow; say which ones it refused and why."""
        count = 0
        for post in queryset:
            version = request.POST.get(f"{VERSION_FIELD}{post.pk}") or None
            try:
                services.post_act(post=post, by=request.user, action=action, expected_version=version)
                count += 1
            except services.EditConflict:
                self.message_user(request, CHANGED_SINCE.format(post), level=messages.WARNING)
            except services.VersionRequired as refused:
                self.message_user(request, str(refused), level=messages.WARNING)
            except (PermissionDenied, ValidationError) as error:
                reason = " ".join(getattr(error, "messages", [str(error)]))
                self.message_user(request, f"“{post}”: {reason}", level=messages.WARNING)
        self.message_user(request, f"{count} post(s) {done}.")
