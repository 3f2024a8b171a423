from django.urls import path

from sessions_app.codemode import views

app_name = "codemode"
urlpatterns = [
    path("me/code/", views.my_code, name="my_code"),
    path("monitor/codes/", views.class_codes, name="class_codes"),
    path("staff/codes/", views.staff_readiness, name="staff_readiness"),
    path("staff/students/<int:pk>/makeup-route/", views.makeup_route, name="makeup_route"),
]
