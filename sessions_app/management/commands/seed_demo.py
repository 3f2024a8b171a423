from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sessions_app.demo.seed import DemoError, seed_demo


class Command(BaseCommand):
    help = (
        "Fill the notice's campaign with a synthetic roster and create the demo logins. "
        "Safe to run again: existing students and users are left as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--students",
            type=int,
            metavar="N",
            help="Total number of students (default: 30-50 per class plus 60 without a class).",
        )
        parser.add_argument(
            "--shoot-day",
            action="store_true",
            help="Also record the notice's shoot day: numbers, photos, absences, class "
            "close-outs and 学信网 answers (about 20 s for the default roster).",
        )

        parser.add_argument(
            "--code-campaign",
            action="store_true",
            help="Also build the 2026届 demo campaign in code mode (图像采集码), a week ahead.",
        )

    def handle(self, *args, students=None, shoot_day=False, code_campaign=False, **options):
        try:
            result = seed_demo(students=students, shoot_day=shoot_day, code_campaign=code_campaign)
        except DemoError as error:
            raise CommandError(str(error)) from None
        if not settings.DEBUG:
            self.stderr.write("注意：演示账号的密码是公开的，请勿在正式环境使用。")
        for note in result.notes:
            self.stdout.write(note)
        if result.loaded:
            self.stdout.write("已载入通知：%s" % result.campaign.title)
        self.stdout.write(
            "演示名单：新增 %d 名学生（本活动共 %d 名，%d 个班级，另有无班级者 %d 名）。"
            % (
                result.created,
                result.total,
                result.campaign.classes.count(),
                result.individuals,
            )
        )
        for count, text in (
            (result.checks, "演示采集卡核对：新增 %d 条。"),
            (result.payments, "演示缴费记录：新增 %d 条。"),
            (result.shots, "演示拍摄日：已登记 %d 个拍摄序号。"),
            (result.handovers, "演示交接：%d 个班级已交给拍摄组。"),
        ):
            if count:
                self.stdout.write(text % count)
        if result.code_campaign is not None:
            self.stdout.write(
                "采集码演示活动：%s（新增 %d 名学生）。"
                % (result.code_campaign.title, result.code_created)
            )
        self.stdout.write("演示账号：")
        for label, username, password in result.logins:
            self.stdout.write("  %s：%s / %s" % (label, username, password))
        if result.untouched:
            self.stdout.write("（已存在的账号未作改动，密码以首次创建时为准。）")
