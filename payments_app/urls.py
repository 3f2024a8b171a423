from django.urls import path

from payments_app import views

app_name = "payments"
urlpatterns = [
    path("", views.home, name="home"),
    path("mine/", views.mine, name="mine"),
    path("overview/", views.overview, name="overview"),
    path("export/", views.export, name="export"),
    path("class/<int:pk>/", views.class_page, name="class"),
    path("class/<int:pk>/record/", views.record, name="record"),
    path(
        "class/<int:pk>/payment/<int:payment_pk>/reverse/",
        views.reverse_payment,
        name="reverse",
    ),
    path("class/<int:pk>/payment/<int:payment_pk>/refund/", views.refund, name="refund"),
    path("class/<int:pk>/payment/<int:payment_pk>/carry/", views.carry, name="carry"),
    path("class/<int:pk>/handover/", views.handover, name="handover"),
    path("class/<int:pk>/handover/confirm/", views.handover_confirm, name="handover_confirm"),
    path("class/<int:pk>/settle/", views.settle, name="settle"),
]
