from django.contrib import admin

from cards_app.rules import normalise_text
from sessions_app.models import (
    Campaign,
    CardCorrection,
    CategoryRule,
    ChsiCheck,
    ClassClose,
    College,
    RosterCorrection,
    ScheduleChange,
    SchoolClass,
    Shot,
    ShotAbsence,
    Student,
    TimeSlot,
    Venue,
)
from sessions_app.selectors import name_contains_q
from sessions_app.summary.services import summaries_rebuild


class NameSearchMixin:
    """Find a student's name in simplified or traditional form (张伟 finds 張偉), on top
    of the admin's own search, within the list's filters."""

    name_search_field = "name"

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = normalise_text(search_term)
        if term and not term.isascii() and self.get_search_fields(request):
            results |= queryset.filter(name_contains_q(term, field=self.name_search_field))
        return results, may_have_duplicates


class TimeSlotInline(admin.TabularInline):
    model = TimeSlot
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "graduation_year", "fee", "published"]
    inlines = [TimeSlotInline]


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "shots_per_hour"]


@admin.register(College)
class CollegeAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign", "college", "status", "slot", "position"]
    list_filter = ["campaign", "status", "college"]
    search_fields = ["name"]
    raw_id_fields = ["monitor"]


@admin.register(CategoryRule)
class CategoryRuleAdmin(admin.ModelAdmin):
    list_display = ["label", "campaign", "category", "education_type", "slot"]


@admin.register(Student)
class StudentAdmin(NameSearchMixin, admin.ModelAdmin):
    list_display = ["student_id", "name", "school_class", "category"]
    list_filter = ["category", "campaign"]
    search_fields = ["student_id", "name"]
    raw_id_fields = ["school_class", "user"]

    # An edit here can move a student to another class, category or campaign: the
    # campaigns' figures are counted again from their records (the admin's view runs
    # in one transaction, so they commit with the edit).
    def save_model(self, request, obj, form, change):
        before = Student.objects.filter(pk=obj.pk).values_list("campaign_id", flat=True).first()
        super().save_model(request, obj, form, change)
        for campaign in Campaign.objects.filter(pk__in={before, obj.campaign_id}):
            summaries_rebuild(campaign=campaign)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        summaries_rebuild(campaign=obj.campaign)

    def delete_queryset(self, request, queryset):
        campaigns = set(queryset.values_list("campaign_id", flat=True))
        super().delete_queryset(request, queryset)
        for campaign in Campaign.objects.filter(pk__in=campaigns):
            summaries_rebuild(campaign=campaign)


class ReadOnlyLogAdmin(NameSearchMixin, admin.ModelAdmin):
    """Shoot-day records and roster corrections are logs: read them here, change them
    through the desk or the correction page."""

    name_search_field = "student__name"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RosterCorrection)
class RosterCorrectionAdmin(ReadOnlyLogAdmin):
    list_display = ["student", "field", "old_value", "new_value", "corrected_by", "corrected_at"]
    list_filter = ["campaign", "field"]
    search_fields = ["student__student_id", "student__name"]


@admin.register(Shot)
class ShotAdmin(ReadOnlyLogAdmin):
    list_display = ["number", "student", "status", "desk"]
    list_filter = ["status"]
    search_fields = ["student__student_id", "student__name"]


@admin.register(ShotAbsence)
class ShotAbsenceAdmin(ReadOnlyLogAdmin):
    search_fields = ["student__student_id", "student__name"]


@admin.register(CardCorrection)
class CardCorrectionAdmin(ReadOnlyLogAdmin):
    search_fields = ["student__student_id", "student__name"]


@admin.register(ClassClose)
class ClassCloseAdmin(ReadOnlyLogAdmin):
    pass


@admin.register(ChsiCheck)
class ChsiCheckAdmin(ReadOnlyLogAdmin):
    search_fields = ["student__student_id", "student__name"]


@admin.register(ScheduleChange)
class ScheduleChangeAdmin(ReadOnlyLogAdmin):
    """The schedule's history: undo a change on the history page, which shows it first."""

    list_display = ["summary", "kind", "made_by", "made_at"]
    list_filter = ["campaign", "kind"]
