from django.apps import AppConfig


class CardsAppConfig(AppConfig):
    name = "cards_app"
    verbose_name = "采集卡"
