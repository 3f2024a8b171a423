from django.urls import path

from cards_app import views

app_name = "cards"
urlpatterns = [
    path("", views.check, name="check"),
    path("guide.png", views.guide_png, name="guide_png"),
    path("guide.pdf", views.guide_pdf, name="guide_pdf"),
    path("me/guide.png", views.my_guide_png, name="my_guide_png"),
    path("me/guide.pdf", views.my_guide_pdf, name="my_guide_pdf"),
    path("class/", views.class_cards, name="class_cards"),
    path("staff/", views.staff_bulk, name="staff_bulk"),
    path("staff/export/<str:kind>", views.staff_bulk_export, name="staff_bulk_export"),
    path("staff/discrepancies/", views.staff_discrepancies, name="staff_discrepancies"),
    path(
        "staff/discrepancies/<int:pk>/resolve/",
        views.staff_discrepancy_resolve,
        name="staff_discrepancy_resolve",
    ),
]
