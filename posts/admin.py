from django.contrib import admin
from django.db.models import Count

from . import permissions
from .models import Post, Tag


class EditorsOnlyAdmin(admin.ModelAdmin):
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


@admin.register(Post)
class PostAdmin(EditorsOnlyAdmin):
    list_display = ["title", "author", "status_label", "published_at", "updated_at"]
    list_filter = ["status", ("author", admin.RelatedOnlyFieldListFilter), "tags"]
    list_select_related = ["author"]
    search_fields = ["title", "slug", "body", "author__username", "author__display_name"]
    date_hierarchy = "published_at"
    filter_horizontal = ["tags"]
    readonly_fields = ["slug", "created_at", "updated_at", "reading_time_minutes"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "author", "status", "published_at"]}),
        ("Content", {"fields": ["body", "excerpt", "tags"]}),
        ("Details", {"fields": ["reading_time_minutes", "created_at", "updated_at"]}),
    ]
    actions = ["publish_now", "unpublish"]

    @admin.display(description="Status", ordering="status")
    def status_label(self, post):
        return post.display_status.capitalize()

    @admin.action(description="Publish the selected posts now")
    def publish_now(self, request, queryset):
        for post in queryset:
            if permissions.can_publish(request.user, post):
                post.publish()
        self.message_user(request, "The selected posts are published.")

    @admin.action(description="Unpublish the selected posts")
    def unpublish(self, request, queryset):
        for post in queryset:
            if permissions.can_publish(request.user, post):
                post.unpublish()
        self.message_user(request, "The selected posts are back to draft.")
