from django.core.management.base import BaseCommand

from sessions_app.notice.loader import notice_load


class Command(BaseCommand):
    help = "Load the notice's capture campaign (schedule, venues, classes) unless it is there."

    def handle(self, *args, **options):
        campaign, created = notice_load()
        if created:
            self.stdout.write(
                "已载入通知：%s（%d 个时段，%d 个班级）"
                % (campaign.title, campaign.slots.count(), campaign.classes.count())
            )
        else:
            self.stdout.write("通知已载入，未作改动：%s" % campaign.title)
