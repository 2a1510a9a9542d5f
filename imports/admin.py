from django.contrib import admin

from accounts.admin import OneLineSearch

from .models import ImportedItem, OldLink


@admin.register(OldLink)
class OldLinkAdmin(OneLineSearch, admin.ModelAdmin):
    list_display = ["old_path", "post", "new_path", "created_at"]
    search_fields = ["old_path", "new_path", "post__title"]
    raw_id_fields = ["post"]
    list_select_related = ["post"]


@admin.register(ImportedItem)
class ImportedItemAdmin(OneLineSearch, admin.ModelAdmin):
    """What imports brought in, for finding where an item came from; written by imports only."""

    list_display = ["source", "kind", "source_id", "object_id", "imported_at"]
    list_filter = ["kind", "source"]
    search_fields = ["source_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
