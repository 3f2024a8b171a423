from django.contrib import admin

from sessions_app.models import (
    Campaign,
    CategoryRule,
    College,
    SchoolClass,
    Student,
    TimeSlot,
    Venue,
)


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
class StudentAdmin(admin.ModelAdmin):
    list_display = ["student_id", "name", "school_class", "category"]
    list_filter = ["category", "campaign"]
    search_fields = ["student_id", "name"]
    raw_id_fields = ["school_class", "user"]
