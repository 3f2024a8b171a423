from django.urls import path

from sessions_app.shootday.views import board, chsi, close, desk, makeup, numbers

app_name = "shootday"
urlpatterns = [
    path("desk/", desk.desk, name="desk"),
    path("desk/name/", desk.desk_name, name="desk_name"),
    path("desk/scan/", desk.desk_scan, name="desk_scan"),
    path("desk/assign/", desk.assign, name="assign"),
    path("desk/photographed/", desk.photographed, name="photographed"),
    path("desk/void/", desk.void, name="void"),
    path("desk/absent/", desk.absent, name="absent"),
    path("desk/correction/", desk.correction, name="correction"),
    path("numbers/", numbers.numbers, name="numbers"),
    path("classes/<int:pk>/close/", close.class_close, name="class_close"),
    path("makeup/", makeup.makeup, name="makeup"),
    path("board/", board.board, name="board"),
    path("chsi/confirm/", chsi.chsi_confirm, name="chsi_confirm"),
    path("chsi/", chsi.chsi_overview, name="chsi"),
    path("chsi/reports/<int:pk>/handle/", chsi.chsi_handle, name="chsi_handle"),
]
