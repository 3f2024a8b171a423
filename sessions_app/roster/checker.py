"""Check a roster table row by row, against the card rules, the model and itself.

Every row goes through the same named steps, each returning its problems: damage Excel
did to the IDs, the category, the card rules (学号, 姓名, 身份证号, 学历类别, 所在校别),
gender against the ID, the class, duplicates within the file and in the database. The
checker collects every problem of every row; nothing is written here (services.py
writes a clean file, all or nothing).

学号 and 身份证号 must arrive as text. Excel keeps 15 significant digits, so an
18-digit 身份证号 stored as a number has already lost digits (4.30102E+17): such a
value is reported, never guessed.
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from cards_app import rules as card_rules
from sessions_app.models import (
    Campaign,
    College,
    EducationType,
    Gender,
    SchoolClass,
    SchoolType,
    Student,
    StudentCategory,
)
from sessions_app.roster.table import FIELD_LABELS, Table, cell_text, header_field
from sessions_app.roster.template import EXAMPLE, is_example

# The report --------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One problem with one cell (row 0: the file as a whole)."""

    row: int
    column: str
    value: str
    message: str


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass
class RowOutcome:
    row: int
    student_id: str
    name: str
    class_name: str
    action: str = ""  # "new", "changed", "unchanged" or "error"
    changes: list[Change] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import found and (unless dry run or errors) did."""

    filename: str
    kind: str
    encoding: str
    rows: int = 0
    new: list[RowOutcome] = field(default_factory=list)
    changed: list[RowOutcome] = field(default_factory=list)
    unchanged: list[RowOutcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    new_classes: list[str] = field(default_factory=list)
    # A new class whose name looks like one the campaign has: a likely typo.
    similar_classes: dict[str, str] = field(default_factory=dict)
    new_colleges: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # field label -> header in file
    ignored_columns: list[str] = field(default_factory=list)
    not_in_file: int = 0  # students of the campaign the file does not mention
    imported: bool = False
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def file_notes(self) -> list[Problem]:
        """Return the notes about the file as a whole (the sheet read, error cells …)."""
        return [w for w in self.warnings if not w.row]

    @property
    def row_warnings(self) -> list[Problem]:
        return [w for w in self.warnings if w.row]

    @property
    def error_rows(self) -> int:
        return len({p.row for p in self.problems if p.row})

    def problems_by_row(self) -> dict[int, list[Problem]]:
        grouped: dict[int, list[Problem]] = {}
        for problem in self.problems:
            grouped.setdefault(problem.row, []).append(problem)
        return grouped


# The academic systems' words --------------------------------------------------------

_SCIENTIFIC = re.compile(r"^\s*[+-]?\d+(\.\d+)?[eE][+-]?\d+\s*$")
_FLOAT_TAIL = re.compile(r"^\d+\.0+$")
_TRUNCATED_ID = re.compile(r"\d{15}000")

_GENDERS = {
    "男": Gender.MALE,
    "m": Gender.MALE,
    "male": Gender.MALE,
    "男性": Gender.MALE,
    "女": Gender.FEMALE,
    "女性": Gender.FEMALE,
    "f": Gender.FEMALE,
    "female": Gender.FEMALE,
}
_EDUCATION_TYPES = {str(label): value for value, label in EducationType.choices} | {
    "专科": EducationType.REGULAR_JUNIOR,
    "高职": EducationType.REGULAR_JUNIOR,
    "高职专科": EducationType.REGULAR_JUNIOR,
    "高职(专科)": EducationType.REGULAR_JUNIOR,
    "专科(高职)": EducationType.REGULAR_JUNIOR,
    "大专": EducationType.REGULAR_JUNIOR,
    "本科": EducationType.REGULAR_BACHELOR,
    "成教专科": EducationType.ADULT_JUNIOR,
    "成教本科": EducationType.ADULT_BACHELOR,
}
_SCHOOL_TYPES = {str(label): value for value, label in SchoolType.choices}
_CATEGORIES = {str(label): value for value, label in StudentCategory.choices} | {
    "在校生": StudentCategory.CURRENT,
    "应届生": StudentCategory.CURRENT,
    "应届": StudentCategory.CURRENT,
    "未拍照在校生": StudentCategory.EARLIER_UNSHOT,
    "尚未拍照的在校生": StudentCategory.EARLIER_UNSHOT,
    "2016级等尚未拍照的在校生": StudentCategory.EARLIER_UNSHOT,
    "往届": StudentCategory.ALUMNI,
    "成教": StudentCategory.ADULT,
    "成人教育": StudentCategory.ADULT,
    "成人教育学生": StudentCategory.ADULT,
}
_MAX_LENGTHS = {
    "student_id": Student._meta.get_field("student_id").max_length,
    "name": Student._meta.get_field("name").max_length,
    "class_name": SchoolClass._meta.get_field("name").max_length,
    "college": College._meta.get_field("name").max_length,
}
_STUDENT_FIELDS = (
    "pk",
    "student_id",
    "campaign_id",
    "name",
    "id_number",
    "gender",
    "school_class_id",
    "category",
    "education_type",
    "school_type",
)


def _choice_key(value: str) -> str:
    return card_rules.normalise_text(value).lower()


def _label(choices, value) -> str:
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


# One row ------------------------------------------------------------------------------


@dataclass
class _Row:
    """One data row on its way through the steps, with what they have found so far."""

    number: int
    raw: dict[str, str]  # field -> cell text
    numeric: dict[str, bool]  # field -> the cell was a number
    problems: list[Problem] = field(default_factory=list)
    id_mangled: bool = False
    sid_mangled: bool = False
    card_errors: bool = False
    category: str = StudentCategory.CURRENT
    expected_education: str = EducationType.REGULAR_JUNIOR
    expected_school: str = SchoolType.REGULAR
    education: str = ""
    school: str = ""
    student_id: str = ""
    name: str = ""
    id_number: str = ""
    gender: str = ""
    class_name: str = ""

    def text(self, name: str) -> str:
        return self.raw.get(name, "")


class RosterChecker:
    """Check rows one by one, remembering what the cross-row checks need."""

    def __init__(self, *, campaign: Campaign, table: Table):
        self.campaign = campaign
        self.table = table
        self.report = ImportReport(
            filename=table.filename, kind=table.kind, encoding=table.encoding
        )
        by_index = sorted(table.columns.items(), key=lambda item: item[1])
        self.report.columns = {FIELD_LABELS[f]: table.headers[i] for f, i in by_index}
        self.report.ignored_columns = table.ignored_headers
        self.pattern = settings.STUDENT_ID_PATTERN
        self.rules = {r.category: r for r in campaign.category_rules.all()}
        self.classes = {c.name: c for c in SchoolClass.objects.filter(campaign=campaign)}
        self.colleges = {c.name: c for c in College.objects.all()}
        self.class_names = {c.pk: c.name for c in self.classes.values()}
        self.college_names = {c.pk: c.name for c in self.colleges.values()}
        self._load_students()
        self.seen_ids: dict[str, int] = {}
        self.seen_id_numbers: dict[str, int] = {}
        self.new_class_names: dict[str, str] = {}  # class -> college name ("" if none)
        self.numeric_student_ids = 0
        self.example_rows: list[int] = []
        self.to_create: list[tuple[str, dict]] = []
        self.to_update: list[tuple[dict, dict]] = []

    def _load_students(self) -> None:
        """Read every student once: this campaign's to update, others' 学号 to refuse."""
        self.existing: dict[str, dict] = {}
        self.other_campaign: dict[str, str] = {}
        self.id_owner: dict[str, str] = {}
        titles = dict(Campaign.objects.values_list("pk", "title"))
        rows = Student.objects.values_list(*_STUDENT_FIELDS).iterator(chunk_size=5000)
        for values in rows:
            record = dict(zip(_STUDENT_FIELDS, values, strict=True))
            if record["campaign_id"] == self.campaign.pk:
                self.existing[record["student_id"]] = record
                self.id_owner[record["id_number"]] = record["student_id"]
            else:
                self.other_campaign[record["student_id"]] = titles.get(record["campaign_id"], "")

    def _header(self, name: str) -> str:
        columns = self.table.columns
        return self.table.headers[columns[name]] if name in columns else FIELD_LABELS[name]

    def _problem(self, row: _Row, name: str, value, message: str) -> Problem:
        return Problem(row.number, self._header(name), str(value), message)

    def row(self, number: int, cells: list) -> None:
        """Check one data row and file it as new, changed, unchanged or an error."""
        row = self._cells(number, cells)
        if row is None:
            return
        self.report.rows += 1
        for step in (
            self._excel_damage,
            self._category,
            self._card,
            self._gender,
            self._school_class,
            self._duplicates,
        ):
            row.problems += step(row)
        self._file(row)

    def _cells(self, number: int, cells: list) -> _Row | None:
        """Return the row's cells as text, or None for a row that is not a student."""
        raw: dict[str, str] = {}
        numeric: dict[str, bool] = {}
        for name, index in self.table.columns.items():
            value = cells[index] if index < len(cells) else None
            raw[name], numeric[name] = cell_text(value)
        if not any(raw.values()):
            return None  # a blank line between blocks is not a student
        if all(header_field(raw[f]) == f for f in ("student_id", "name")):
            return None  # the header again, above the next class's block
        if is_example(raw):
            self.example_rows.append(number)
            return None  # the import template's made-up student
        return _Row(number, raw, numeric)

    def _excel_damage(self, row: _Row) -> list[Problem]:
        """Return the IDs Excel has turned into numbers: their digits are lost."""
        problems = []
        id_text = row.text("id_number")
        message = ""
        if row.numeric.get("id_number") and len(id_text) == 15 and id_text.isdigit():
            message = _(
                "这是 15 位的旧身份证号，采集卡须填 18 位新号码。"
                "请把该列设为“文本”格式，填入 18 位号码。"
            )
        elif row.numeric.get("id_number"):
            message = _(
                "身份证号存成了数字（Excel 只保留 15 位有效数字，后几位已丢失），"
                "无法还原。请把该列设为“文本”格式，重新填入完整的 18 位号码。"
            )
        elif _SCIENTIFIC.match(id_text):
            message = _(
                "身份证号被 Excel 显示为科学计数法，位数已丢失，无法还原。请以文本格式重新填入。"
            )
        if message:
            row.id_mangled = True
            problems.append(self._problem(row, "id_number", id_text, message))
        sid_text = row.text("student_id")
        message = ""
        if row.numeric.get("student_id"):
            if not sid_text.isdigit() or len(sid_text) > 15:
                message = _(
                    "学号存成了数字，位数已丢失，无法还原。请把该列设为“文本”格式重新填入。"
                )
            else:
                self.numeric_student_ids += 1
        elif _SCIENTIFIC.match(sid_text) or _FLOAT_TAIL.match(sid_text):
            message = _(
                "学号被 Excel 转成了数字格式（%(v)s），无法确定原值。请以文本格式重新填入。"
            ) % {"v": sid_text}
        if message:
            row.sid_mangled = True
            problems.append(self._problem(row, "student_id", sid_text, message))
        return problems

    def _category(self, row: _Row) -> list[Problem]:
        """Read the category, and from its rule what the card must say."""
        problems = []
        text = row.text("category")
        if text:
            key = _choice_key(text)
            category = _CATEGORIES.get(key)
            if category is None:
                for rule in self.rules.values():
                    if _choice_key(rule.label) == key:
                        category = rule.category
            if category is None:
                choices = "、".join(str(label) for label in StudentCategory.labels)
                message = _("类别不认识；可填：%(choices)s。") % {"choices": choices}
                problems.append(self._problem(row, "category", text, message))
            else:
                row.category = category
        rule = self.rules.get(row.category)
        if rule is not None:
            row.expected_education = rule.education_type
            row.expected_school = rule.school_type
        return problems

    def _card(self, row: _Row) -> list[Problem]:
        """Judge 学号, 姓名, 身份证号, 学历类别 and 所在校别 by the card rules, and keep
        their normalised values. Warnings go to the report, never refuse the file."""
        # The academic systems' own words for 学历类别 and 所在校别 (高职专科 …) are
        # translated first. Blank means what the category puts.
        education_text, school_text = row.text("education_type"), row.text("school_type")
        education = (
            _EDUCATION_TYPES.get(_choice_key(education_text), education_text)
            if education_text
            else row.expected_education
        )
        school = (
            _SCHOOL_TYPES.get(_choice_key(school_text), school_text)
            if school_text
            else row.expected_school
        )
        sid_text, id_text, name_text = (
            row.text("student_id"),
            row.text("id_number"),
            row.text("name"),
        )
        result = card_rules.check_card(
            student_id=None if row.sid_mangled else sid_text,
            name=name_text,
            id_number=None if row.id_mangled else id_text,
            education_type=education,
            school_type=school,
            expected_education_type=row.expected_education,
            expected_school_type=row.expected_school,
            student_id_pattern=self.pattern,
        )
        source = {
            "student_id": sid_text,
            "name": name_text,
            "id_number": id_text,
            "education_type": education_text or str(EducationType(education).label),
            "school_type": school_text or str(SchoolType(school).label),
        }
        problems = []
        # The roster holds no pinyin: a reading pypinyin does not know (𠮷) is given by
        # the student at the card check, so here it is only said, never a refusal.
        errors = [i for i in result.errors if i.code != card_rules.READING_UNKNOWN]
        warnings = list(result.warnings)
        if len(errors) < len(result.errors):
            unread = [c.char for c in card_rules.check_name(name_text).codes if c.reading_unknown]
            message = _("%s的读音无法自动识别：学生核对采集卡时须填写它的拼音。") % "、".join(
                "“%s”" % c for c in unread
            )
            warnings.append(
                card_rules.Issue(card_rules.NAME, card_rules.READING_UNKNOWN, message, "warning")
            )
        for issue in errors:
            if issue.field == "student_id" and row.sid_mangled:
                continue
            if issue.field == "id_number" and row.id_mangled:
                continue
            message = issue.message
            if issue.field == "id_number" and _TRUNCATED_ID.fullmatch(id_text):
                message += _("（末三位是 000：可能被 Excel 截成了 15 位有效数字）")
            column = issue.field if issue.field in FIELD_LABELS else "name"
            problems.append(self._problem(row, column, source.get(issue.field, ""), message))
        for issue in warnings:
            column = issue.field if issue.field in FIELD_LABELS else "name"
            self.report.warnings.append(
                self._problem(row, column, source.get(issue.field, ""), issue.message)
            )
        row.card_errors = bool(errors)
        card = result.card
        row.education = card.get("education_type") or row.expected_education
        row.school = card.get("school_type") or row.expected_school
        row.student_id = card.get("student_id") or card_rules.normalise_text(sid_text)
        row.name = card.get("name") or card_rules.normalise_text(name_text)
        row.id_number = card.get("id_number") or id_text.upper()
        if len(row.student_id) > _MAX_LENGTHS["student_id"]:
            message = _("学号过长（最多 %d 位）。") % _MAX_LENGTHS["student_id"]
            problems.append(self._problem(row, "student_id", sid_text, message))
        if len(row.name) > _MAX_LENGTHS["name"]:
            problems.append(self._problem(row, "name", name_text, _("姓名过长。")))
        return problems

    def _gender(self, row: _Row) -> list[Problem]:
        """Take a blank gender from the ID; a different one is a typing error somewhere."""
        text = row.text("gender")
        from_id = "" if row.id_mangled else card_rules.gender_from_id(row.id_number) or ""
        row.gender = from_id
        if not text:
            return []
        gender = _GENDERS.get(_choice_key(text), "")
        if not gender:
            return [self._problem(row, "gender", text, _("性别应填“男”或“女”。"))]
        row.gender = gender
        if from_id and gender != from_id and not row.card_errors:
            message = _("性别与身份证号不符：身份证号第 17 位表示%(g)s。") % {
                "g": Gender(from_id).label
            }
            return [self._problem(row, "gender", text, message)]
        return []

    def _school_class(self, row: _Row) -> list[Problem]:
        """Find the class (a new one is created on import) and check its college."""
        row.class_name = card_rules.normalise_text(row.text("class_name"))
        college_name = card_rules.normalise_text(row.text("college"))
        if not row.class_name:
            if row.category != StudentCategory.CURRENT:
                return []
            column = "class_name" if "class_name" in self.table.columns else "category"
            message = _("应届在校生必须填写班级；个人参加的请在“类别”列填 往届生、成教生 等。")
            return [self._problem(row, column, "", message)]
        if len(row.class_name) > _MAX_LENGTHS["class_name"]:
            return [self._problem(row, "class_name", row.class_name, _("班级名称过长。"))]
        school_class = self.classes.get(row.class_name)
        if school_class is None:
            self.new_class_names.setdefault(row.class_name, college_name)
            if len(college_name) > _MAX_LENGTHS["college"]:
                return [self._problem(row, "college", college_name, _("学院名称过长。"))]
            return []
        current = self.college_names.get(school_class.college_id)
        if college_name and current is not None and current != college_name:
            message = _("班级 %(c)s 已属于 %(s)s，本列不会改变它。") % {
                "c": row.class_name,
                "s": current,
            }
            self.report.warnings.append(self._problem(row, "college", college_name, message))
        return []

    def _duplicates(self, row: _Row) -> list[Problem]:
        """Return a 学号 or 身份证号 given twice in the file, or already someone else's."""
        problems = []
        sid_text, id_text = row.text("student_id"), row.text("id_number")
        if row.student_id and not row.sid_mangled:
            first = self.seen_ids.setdefault(row.student_id, row.number)
            if first != row.number:
                message = _("学号与第 %(row)d 行重复。") % {"row": first}
                problems.append(self._problem(row, "student_id", sid_text, message))
            if row.student_id in self.other_campaign:
                message = _("学号已属于另一次采集“%(title)s”的学生。") % {
                    "title": self.other_campaign[row.student_id]
                }
                problems.append(self._problem(row, "student_id", sid_text, message))
        id_column = self._header("id_number")
        id_judged = any(p.column == id_column for p in row.problems)
        if row.id_number and not row.id_mangled and not id_judged:
            first = self.seen_id_numbers.setdefault(row.id_number, row.number)
            if first != row.number:
                message = _("身份证号与第 %(row)d 行重复。") % {"row": first}
                problems.append(self._problem(row, "id_number", id_text, message))
            owner = self.id_owner.get(row.id_number)
            if owner is not None and owner != row.student_id:
                message = _("身份证号已属于学号 %(owner)s 的学生。") % {"owner": owner}
                problems.append(self._problem(row, "id_number", id_text, message))
        return problems

    def _file(self, row: _Row) -> None:
        """File the row as an error, a new student, a change or no change."""
        outcome = RowOutcome(row.number, row.student_id, row.name, row.class_name)
        if row.problems:
            outcome.action = "error"
            self.report.problems.extend(row.problems)
            return
        values = {
            "name": row.name,
            "id_number": row.id_number,
            "gender": row.gender,
            "class_name": row.class_name,
            "category": row.category,
            "education_type": row.education,
            "school_type": row.school,
        }
        record = self.existing.get(row.student_id)
        if record is None:
            outcome.action = "new"
            self.report.new.append(outcome)
            self.to_create.append((row.student_id, values))
            return
        changes = self._changes(record, values)
        if changes:
            outcome.action = "changed"
            outcome.changes = changes
            self.report.changed.append(outcome)
            self.to_update.append((record, values))
        else:
            outcome.action = "unchanged"
            self.report.unchanged.append(outcome)

    def _changes(self, record: dict, values: dict) -> list[Change]:
        changes = []
        old_class = self.class_names.get(record["school_class_id"], "")
        for label, old, new, choices in (
            ("姓名", record["name"], values["name"], None),
            ("身份证号", record["id_number"], values["id_number"], None),
            ("班级", old_class, values["class_name"], None),
            ("性别", record["gender"], values["gender"], Gender),
            ("类别", record["category"], values["category"], StudentCategory),
            ("学历类别", record["education_type"], values["education_type"], EducationType),
            ("所在校别", record["school_type"], values["school_type"], SchoolType),
        ):
            if (old or "") == (new or ""):
                continue
            if choices is not None:
                old, new = _label(choices, old), _label(choices, new)
            changes.append(Change(label, old or "（空）", new or "（空）"))
        return changes

    def finish(self) -> ImportReport:
        """Return the report, with the notes about the file as a whole first."""
        report = self.report
        report.warnings[:0] = [Problem(0, "", "", note) for note in self.table.notes]
        if self.example_rows:
            note = _("第 %(rows)s 行是导入模板中的示例学生（%(name)s），已跳过，不会导入。") % {
                "rows": "、".join(map(str, self.example_rows)),
                "name": EXAMPLE["name"],
            }
            report.warnings.insert(0, Problem(0, "", "", note))
        if self.numeric_student_ids:
            note = _(
                "有 %(n)d 个学号是数字格式的单元格，已按显示的数字读入；"
                "若有学号以 0 开头，请把该列设为“文本”格式后重新导出。"
            ) % {"n": self.numeric_student_ids}
            report.warnings.insert(0, Problem(0, self._header("student_id"), "", note))
        if report.rows == 0 and not report.problems:
            if self.example_rows:
                message = _("除了示例学生，文件中没有学生数据：请在示例行下面填写学生后再上传。")
            else:
                message = _("文件中没有学生数据（表头下面是空的）。")
            report.problems.append(Problem(0, "", "", message))
        report.new_classes = sorted(self.new_class_names)
        report.similar_classes = similar_names(report.new_classes, list(self.classes))
        report.new_colleges = sorted(
            {c for c in self.new_class_names.values() if c and c not in self.colleges}
        )
        report.not_in_file = len(set(self.existing) - set(self.seen_ids))
        return report


_CONFUSABLE = str.maketrans({"l": "1", "i": "1", "|": "1", "o": "0"})
_NOT_NAME = re.compile(r"[\s\-_·.]+")
_DIGITS = re.compile(r"\d+")


def _skeleton(name: str) -> str:
    """Return a class name as it reads at a glance: full width folded, l/I read as 1
    and O as 0, spaces and dashes gone."""
    return _NOT_NAME.sub("", unicodedata.normalize("NFKC", name).lower().translate(_CONFUSABLE))


def _one_edit(a: str, b: str) -> bool:
    """Return whether two strings differ by one changed, added or removed character."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    return difflib.SequenceMatcher(None, a, b).ratio() >= 1 - 2 / (len(a) + len(b))


def similar_names(new: list[str], existing: list[str]) -> dict[str, str]:
    """Return, for each new class name that looks like a typo of an existing one, that
    one: the same name at a glance (会计117l, 会计１１７１), or the same number under a
    major one character off (会记1171). A sibling such as 会计1178 next to 会计1177 is a
    real new class and is not flagged."""
    skeletons = {_skeleton(name): name for name in existing}
    found = {}
    for name in new:
        same = skeletons.get(_skeleton(name))
        if same is not None:
            found[name] = same
            continue
        digits = _DIGITS.findall(_skeleton(name))
        for old in existing:
            if _DIGITS.findall(_skeleton(old)) == digits and digits:
                major_new = _DIGITS.sub("", name)
                major_old = _DIGITS.sub("", old)
                if _one_edit(major_new, major_old):
                    found[name] = old
                    break
    return found
