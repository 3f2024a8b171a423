"""Write the 缴费名单 of a campaign (or one class) to an Excel or PDF file."""

from django.core.management.base import BaseCommand, CommandError

from payments_app.exports import payment_list_export
from sessions_app.campaigns import campaign_for_command
from sessions_app.models import SchoolClass


class Command(BaseCommand):
    help = "导出缴费名单（Excel 或 PDF）：全部班级，或用 --class 指定一个班级。"

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["xlsx", "pdf"], required=True)
        parser.add_argument("--output", required=True, help="输出文件路径")
        parser.add_argument("--class", dest="class_name", help="只导出这个班级（班级名称）")
        parser.add_argument("--college", help="只导出这个学院的班级（学院名称）")
        parser.add_argument("--campaign", type=int, help="采集活动 ID（只有一个采集活动时可省略）")
        parser.add_argument("--unpaid", action="store_true", help="只导出未缴费名单")
        parser.add_argument(
            "--one-sheet", action="store_true", help="Excel 中所有班级放在一张表（带班级列）"
        )

    def handle(self, *args, format, output, class_name, college, campaign, unpaid, **options):
        selected = campaign_for_command(campaign)
        classes = SchoolClass.objects.filter(campaign=selected)
        scope = ""
        if college:
            classes = classes.filter(college__name=college)
            if not classes.exists():
                raise CommandError("没有找到学院“%s”的班级。" % college)
            scope = college
        if class_name:
            classes = classes.filter(name=class_name)
            if not classes.exists():
                raise CommandError("没有找到班级“%s”。" % class_name)
            scope = class_name
        filename, _content_type, content = payment_list_export(
            campaign=selected,
            fmt=format,
            classes=classes,
            unpaid_only=unpaid,
            one_sheet=options["one_sheet"],
            scope_label=scope,
        )
        try:
            with open(output, "wb") as f:
                f.write(content)
        except OSError as error:
            raise CommandError("无法写入 %s：%s" % (output, error)) from None
        self.stdout.write("已写入 %s（%d 字节，%s）" % (output, len(content), filename))
