"""The personas of tests/personas.py with their campaign in code mode."""

from sessions_app.models import CaptureMode
from tests.personas import Personas


class CodePersonas(Personas):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.campaign.mode = CaptureMode.CODE
        cls.campaign.chsi_check_working_days = 10
        cls.campaign.save(update_fields=["mode", "chsi_check_working_days"])
