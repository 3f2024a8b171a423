# User-facing text uses %-formatting (STYLE.md).
import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sessions_app.campaigns import campaign_for_command
from sessions_app.planner.selectors import plan_proposal, proposal_json, ratio_text
from sessions_app.planner.services import plan_apply
from sessions_app.planner.solver import DEFAULT_SECONDS
from sessions_app.roles import is_staff_member
from sessions_app.services import ScheduleError


class Command(BaseCommand):
    help = (
        "Plan the campaign's schedule with the exact planner (the page's 自动排班) and print "
        "the plan; --json prints it as JSON, --apply saves it into the schedule's history."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--campaign",
            type=int,
            metavar="ID",
            help="campaign id (may be left out when there is only one campaign)",
        )
        parser.add_argument("--json", action="store_true", help="print the plan as JSON")
        parser.add_argument(
            "--apply", action="store_true", help="save the plan, as the page's 接受方案 does"
        )
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help="the 教务处 account the history names for --apply",
        )
        parser.add_argument(
            "--seconds",
            type=float,
            default=DEFAULT_SECONDS,
            help="time limit of the solver (default %(default)s)",
        )
        parser.add_argument(
            "--from-scratch",
            action="store_true",
            help="do not weigh the students the plan moves from the current schedule",
        )

    def handle(self, *args, campaign=None, seconds, by=None, from_scratch=False, **options):
        target = campaign_for_command(campaign)
        if not 0 < seconds <= 600:
            raise CommandError("--seconds 须在 0 到 600 之间。")
        user = None
        if options["apply"]:
            user = get_user_model().objects.filter(username=by or "").first()
            if user is None or not is_staff_member(user):
                raise CommandError("--apply 须用 --by 指定一个教务处账号（记入调整记录的操作人）。")
        proposal = plan_proposal(campaign=target, seconds=seconds, replan=not from_scratch)
        if options["json"]:
            self.stdout.write(json.dumps(proposal_json(proposal), ensure_ascii=False, indent=1))
        else:
            self._print(proposal)
        if user is not None:
            if not proposal.changes_anything:
                self.stderr.write("排期没有变化，无需保存。")
                return
            try:
                change = plan_apply(campaign=target, proposal=proposal, by=user)
            except ScheduleError as error:
                raise CommandError(str(error)) from None
            self.stderr.write(
                "已保存：%s（调整记录 #%d，可在网页“调整记录”中撤销）。"
                % (change.summary, change.pk)
            )

    def _print(self, proposal):
        result, comparison = proposal.result, proposal.comparison
        write = self.stdout.write
        for row in comparison.slots:
            write(
                "%s　%d/%d 人（%d%%）"
                % (row.label, row.load_after, row.capacity, row.percent_after)
            )
            write("  %s" % ("、".join(row.after) or "（无班级）"))
            if row.individuals:
                write("  另有个人 %d 人" % row.individuals)
        for item in result.unplaced:
            write("未能安排：%s：%s" % (item.name, item.reason))
        before, after = comparison.before, comparison.after
        write(
            "拆分的专业年级：%d → %d；最大负荷率：%s → %s；调整时段的学生：%d 人"
            % (
                before.split_cohorts,
                after.split_cohorts,
                ratio_text(before.max_load_ratio),
                ratio_text(after.max_load_ratio),
                after.students_moved,
            )
        )
        if result.optimal:
            write("已证明最优（%.2f 秒）。" % result.seconds)
        else:
            for gap in result.gaps:
                write(
                    "未证明最优：%s 当前 %s，下界 %s（差距 %.1f%%），已到时限 %.0f 秒。"
                    % (gap.label, gap.value, gap.bound, gap.gap * 100, result.time_limit)
                )
