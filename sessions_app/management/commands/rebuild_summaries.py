# User-facing text uses %-formatting (STYLE.md).
from django.core.management.base import BaseCommand, CommandError

from sessions_app.models import Campaign
from sessions_app.summary.services import summaries_drift, summaries_rebuild


class Command(BaseCommand):
    help = (
        "Count every campaign's figures (each student's standing, the tallies, the pace) "
        "again from the ledger and the day's records; with --check, only say what a "
        "rebuild would change (exit code 1 if anything)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, metavar="ID", help="one campaign only")
        parser.add_argument("--check", action="store_true", help="change nothing")

    def handle(self, *args, campaign=None, check=False, **options):
        campaigns = Campaign.objects.order_by("pk")
        if campaign is not None:
            campaigns = campaigns.filter(pk=campaign)
            if not campaigns.exists():
                raise CommandError("没有编号为 %d 的采集活动。" % campaign, returncode=2)
        drifted = 0
        for target in campaigns:
            lines = summaries_drift(campaign=target)
            if check:
                for line in lines[:50]:
                    self.stdout.write("%s: %s" % (target.pk, line))
                drifted += len(lines)
                self.stdout.write("%s：%d 处与记录不符。" % (target, len(lines)))
            else:
                summaries_rebuild(campaign=target)
                self.stdout.write("%s：已重新统计（此前 %d 处与记录不符）。" % (target, len(lines)))
        if check and drifted:
            raise CommandError("统计与记录不符，请运行 rebuild_summaries。", returncode=1)
