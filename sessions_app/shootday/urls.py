from django.urls import path

from sessions_app.shootday import views

app_name = "shootday"
urlpatterns = [
    path("desk/", views.desk, name="desk"),
    path("desk/name/", views.desk_name, name="desk_name"),
    path("desk/scan/", views.desk_scan, name="desk_scan"),
    path("desk/assign/", views.assign, name="assign"),
    path("desk/photographed/", views.photographed, name="photographed"),
    path("desk/void/", views.void, name="void"),
    path("desk/absent/", views.absent, name="absent"),
    path("desk/correction/", views.correction, name="correction"),
    path("numbers/", views.numbers, name="numbers"),
    path("classes/<int:pk>/close/", views.class_close, name="class_close"),
    path("makeup/", views.makeup, name="makeup"),
    path("board/", views.board, name="board"),
    path("chsi/confirm/", views.chsi_confirm, name="chsi_confirm"),
    path("chsi/", views.chsi_overview, name="chsi"),
    path("chsi/reports/<int:pk>/handle/", views.chsi_handle, name="chsi_handle"),
]
