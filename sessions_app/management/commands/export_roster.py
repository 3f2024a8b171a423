# User-facing text uses %-formatting (STYLE.md).
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sessions_app.campaigns import campaign_for_command
from sessions_app.exports import FORMATS, KINDS, ExportError, export_file
from sessions_app.models import TimeSlot


class Command(BaseCommand):
    help = (
        "Write a list of the capture day: sign-in sheets (signin), the full roster (roster), "
        "the make-up list (makeup) or the notice itself (notice)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=sorted(KINDS))
        parser.add_argument(
            "--format", dest="fmt", choices=("xlsx", "pdf"), help="default: the kind's usual"
        )
        parser.add_argument("--output", required=True, metavar="FILE")
        parser.add_argument(
            "--campaign",
            type=int,
            metavar="ID",
            help="campaign id (may be left out when there is only one campaign)",
        )
        parser.add_argument(
            "--slot", type=int, metavar="ID", help="sign-in sheets of one slot only"
        )

    def handle(self, *args, kind, fmt=None, output, campaign=None, slot=None, **options):
        target = campaign_for_command(campaign)
        slot_obj = None
        if slot is not None:
            slot_obj = TimeSlot.objects.filter(pk=slot, campaign=target).first()
            if slot_obj is None:
                raise CommandError("本次采集没有编号为 %d 的时段。" % slot)
        try:
            filename, _content_type, content = export_file(
                campaign=target, kind=kind, fmt=fmt or FORMATS[kind][0], slot=slot_obj
            )
        except ExportError as error:
            raise CommandError(str(error)) from None
        try:
            Path(output).write_bytes(content)
        except OSError as error:
            raise CommandError("无法写入 %s：%s" % (output, error.strerror)) from None
        self.stdout.write("已写入 %s（%s，%d 字节）。" % (output, filename, len(content)))
