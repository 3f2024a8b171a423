"""What a roster sheet is, whatever file it came from: its header, its columns, its cells.

The academic systems name their columns in many ways (学号, 学生学号, 身份证号码(18位),
院(系) …), put the header anywhere in the first rows, sometimes over two rows, and
write IDs as numbers, as ="…" or with a leading apostrophe. This module knows those
habits; reader.py turns the bytes of a file into a Table, checker.py judges its rows.
"""

import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from cards_app.rules import normalise_text

HEADER_SEARCH_ROWS = 20
MAX_COLUMNS = 200


class RosterFileError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


# Columns -----------------------------------------------------------------------------

# Field -> the header names the academic systems use for it, normalised (see header_key).
COLUMN_ALIASES = {
    # Not 学籍号: the national registration number (G + 身份证号) sits beside 学号.
    "student_id": ("学号", "学生学号", "学生编号", "studentid", "student_id"),
    "name": ("姓名", "学生姓名", "名字", "name"),
    "id_number": (
        "身份证号",
        "身份证号码",
        "身份证",
        "公民身份号码",
        "证件号码",
        "证件号",
        "身份证件号",
        "身份证件号码",
        "idnumber",
        "id_number",
    ),
    "class_name": ("班级", "班级名称", "班名", "行政班", "行政班级", "所在班级", "class"),
    "college": ("学院", "院系", "所在学院", "所在院系", "二级学院", "系部", "院(系)", "系别"),
    "gender": ("性别", "gender", "sex"),
    "education_type": ("学历类别", "学历层次", "培养层次", "层次"),
    "school_type": ("所在校别", "校别"),
    "category": ("类别", "学生类别", "学生类型", "考生类别"),
}
FIELD_LABELS = {
    "student_id": "学号",
    "name": "姓名",
    "id_number": "身份证号",
    "class_name": "班级",
    "college": "学院",
    "gender": "性别",
    "education_type": "学历类别",
    "school_type": "所在校别",
    "category": "类别",
}
REQUIRED_FIELDS = ("student_id", "name", "id_number")
# Text columns in the file: an error file writes them back as text cells.
TEXT_FIELDS = ("student_id", "id_number")

_HEADER_NOISE = re.compile(r"[*＊:：]|[（(](必填|选填|可选|必须)[)）]")

# Zero-width spaces and joiners, the BOM and the soft hyphen: invisible on screen,
# copied in from web pages, and enough to make a 身份证号 "19 位".
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def _header_key(value) -> str:
    text = normalise_text(str(value or "").translate(_INVISIBLE))
    return _HEADER_NOISE.sub("", text).lower()


_BRACKETED = re.compile(r"[（(【\[][^）)】\]]*[)）】\]]")


@dataclass(frozen=True)
class Layout:
    """The columns of one kind of sheet: the roster's, or another list staff import
    (the planner's busy periods) read by the same reader."""

    aliases: dict[str, tuple[str, ...]]  # field -> header names
    labels: dict[str, str]  # field -> its name in messages
    required: tuple[str, ...]
    anchors: tuple[str, ...]  # fields whose headers mark the header row
    either: tuple[str, ...] = ()  # one of these is required too (its first names it)
    rule: Callable[[], str] | None = None  # the sentence saying which columns it needs

    def alias_to_field(self) -> dict[str, str]:
        return _alias_map(self)

    def missing(self, columns: dict[str, int]) -> bool:
        return any(f not in columns for f in self.required) or (
            bool(self.either) and not any(f in columns for f in self.either)
        )


_ALIAS_MAPS: dict[int, dict[str, str]] = {}


def _alias_map(layout: Layout) -> dict[str, str]:
    found = _ALIAS_MAPS.get(id(layout))
    if found is None:
        found = _ALIAS_MAPS[id(layout)] = {
            _header_key(alias): name
            for name, aliases in layout.aliases.items()
            for alias in aliases
        }
    return found


def header_field(value, layout: Layout | None = None) -> str | None:
    """Return the field a header names: 身份证号码(18位) and 学号（文本） as well as 院(系)."""
    aliases = (layout or ROSTER).alias_to_field()
    key = _header_key(value)
    return aliases.get(key) or aliases.get(_BRACKETED.sub("", key))


def _match_header(cells: Sequence, layout: Layout) -> dict[str, int]:
    """Return field -> column index for the header names found in a row."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = header_field(cell, layout)
        if name is not None and name not in found:
            found[name] = index
    return found


def filled(cell) -> bool:
    """Return whether a cell holds anything but blanks."""
    return cell is not None and (cell.__class__ is not str or bool(cell.strip()))


def _trimmed(cells: Sequence) -> list:
    """Return the header cells up to the last one with text: a stray value far to the
    right pads every row of the sheet, the header's included."""
    cells = list(cells)
    while cells and not filled(cells[-1]):
        cells.pop()
    return cells


def _two_row_header(upper: Sequence, lower: Sequence, layout: Layout) -> list:
    """Return a header over two rows (证件信息 merged above 证件类型 | 身份证号) as one:
    per column, the cell that names a field, else the lower one."""
    merged = []
    for index in range(max(len(upper), len(lower))):
        a = upper[index] if index < len(upper) else ""
        b = lower[index] if index < len(lower) else ""
        if header_field(b, layout) or not header_field(a, layout):
            merged.append(b if filled(b) else a)
        else:
            merged.append(a)
    return merged


def _names_a_student(cells: Sequence, columns: dict[str, int], layout: Layout) -> bool:
    """Return whether a row has a 学号 or 姓名 (the layout's anchors) under the header's:
    then it is data, never the lower half of a two-row header (whose top cells are
    merged over both rows)."""
    for name in layout.anchors:
        index = columns[name]
        if index < len(cells) and filled(cells[index]):
            return True
    return False


@dataclass
class Header:
    row: int  # 1-based spreadsheet row of the (last) header row
    cells: list
    columns: dict[str, int]
    rest: list  # rows read past the header while looking: (number, cells)
    layout: "Layout | None" = None

    @property
    def complete(self) -> bool:
        return not (self.layout or ROSTER).missing(self.columns)


def header_find(
    numbered_rows: Iterator[tuple[int, list]], layout: Layout | None = None
) -> Header | None:
    """Find the header among the first rows: the first row naming 学号 and 姓名 (the
    layout's anchors) and every required column, on its own or with the row below it.
    Without one, the first row naming the anchors (its missing columns make the
    message)."""
    layout = layout or ROSTER
    head = list(itertools.islice(numbered_rows, HEADER_SEARCH_ROWS + 1))
    partial = None
    for position, (number, cells) in enumerate(head[:HEADER_SEARCH_ROWS]):
        columns = _match_header(cells, layout)
        if any(anchor not in columns for anchor in layout.anchors):
            continue
        header = Header(number, _trimmed(cells), columns, head[position + 1 :], layout)
        if header.complete:
            return header
        if position + 1 < len(head) and not _names_a_student(
            head[position + 1][1], columns, layout
        ):
            lower_number, lower = head[position + 1]
            merged = _trimmed(_two_row_header(cells, lower, layout))
            two = Header(
                lower_number, merged, _match_header(merged, layout), head[position + 2 :], layout
            )
            if two.complete:
                return two
        partial = partial or header
    return partial


def header_rule() -> str:
    """Return the one sentence every page and message uses to say which columns a
    roster needs: the upload form, a missing header, a missing column."""
    return _(
        "表头须有 学号、姓名、身份证号 和 班级（只有往届生、成教生等个人的名单可用“类别”列代替班级）；"
        "学院、性别、学历类别、类别 可选。"
    )


def missing_header_message(layout: Layout | None = None) -> str:
    layout = layout or ROSTER
    return _("没有找到表头：前 %(n)d 行中须有一行含%(anchors)s列。%(rule)s") % {
        "n": HEADER_SEARCH_ROWS,
        "anchors": "和".join("“%s”" % layout.labels[f] for f in layout.anchors),
        "rule": layout.rule() if layout.rule else "",
    }


def columns_check(headers: Sequence, columns: dict[str, int], layout: Layout | None = None) -> None:
    """Refuse a header with too many columns, a required column missing, or a field
    named twice, with RosterFileError."""
    layout = layout or ROSTER
    named = sum(1 for cell in headers if filled(cell))
    if named > MAX_COLUMNS:
        raise RosterFileError(_("表头的列数过多（%(n)d 列）。") % {"n": named})
    missing = [layout.labels[f] for f in layout.required if f not in columns]
    if layout.either and not any(f in columns for f in layout.either):
        missing.append(layout.labels[layout.either[0]])
    if missing:
        raise RosterFileError(
            _("缺少必需的列：%(missing)s。%(rule)s")
            % {"missing": "、".join(missing), "rule": layout.rule() if layout.rule else ""}
        )
    seen: dict[str, str] = {}
    for index, cell in enumerate(headers):
        name = header_field(cell, layout)
        if name is None:
            continue
        if name in seen and columns.get(name) != index:
            raise RosterFileError(
                _("“%(a)s”和“%(b)s”两列都是%(field)s，请删去一列。")
                % {"a": seen[name], "b": cell, "field": layout.labels[name]}
            )
        seen[name] = str(cell)


ROSTER = Layout(
    aliases=COLUMN_ALIASES,
    labels=FIELD_LABELS,
    required=REQUIRED_FIELDS,
    anchors=("student_id", "name"),
    either=("class_name", "category"),
    rule=header_rule,
)


# The table ---------------------------------------------------------------------------


@dataclass
class Table:
    """A sheet read from a file: the header and a way to iterate its data rows."""

    filename: str
    kind: str  # "xlsx", "xls" or "csv"
    headers: list[str]
    header_row: int  # 1-based, as the spreadsheet shows it
    columns: dict[str, int]  # field -> column index
    open_rows: Callable[[], Iterator[tuple[int, list]]]  # fresh (row number, cells) each call
    total_rows: int  # data rows, an estimate for progress bars
    encoding: str = ""
    notes: list[str] = field(default_factory=list)

    def rows(self) -> Iterator[tuple[int, list]]:
        return self.open_rows()

    @property
    def ignored_headers(self) -> list[str]:
        used = set(self.columns.values())
        return [h for i, h in enumerate(self.headers) if i not in used and str(h or "").strip()]


def limited(numbered_rows: Iterator[tuple[int, list]]) -> Iterator[tuple[int, list]]:
    """Pass rows on, refusing the file past ROSTER_IMPORT_MAX_ROWS rows with anything in
    them (blank rows, however many, do not count)."""
    count = 0
    ceiling = settings.ROSTER_IMPORT_MAX_ROWS
    for number, cells in numbered_rows:
        for cell in cells:
            if filled(cell):
                count += 1
                if count > ceiling:
                    raise RosterFileError(
                        _("文件超过 %(limit)d 行学生数据的上限。") % {"limit": ceiling}
                    )
                break
        yield number, cells


# Cells -------------------------------------------------------------------------------

_EXCEL_TEXT = re.compile(r'="([^"]*)"')


def cell_text(value) -> tuple[str, bool]:
    """Return (text, was a number) for a cell value."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return str(value), False
    if isinstance(value, int):
        return str(value), True
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value)), True
        return ("%.15g" % value).replace("e+", "E+"), True
    text = str(value).translate(_INVISIBLE).strip()
    # What exports write to keep Excel from turning a number into 4.30102E+17:
    # ="430102199901011233" in CSV, or a leading apostrophe typed into the cell.
    wrapped = _EXCEL_TEXT.fullmatch(text)
    if wrapped:
        text = wrapped.group(1).strip()
    elif text.startswith("'"):
        text = text[1:].strip()
    return text, False


def cell_as_shown(value):
    """Return a cell's value as the spreadsheet showed it, to write it back.

    The reader gives every number as a float; a whole one (学号 1730101001, 序号 3)
    goes back as the integer Excel displayed, not as 1730101001.0, and one past
    Excel's 15 digits (a 身份证号 typed as a number) as the text the report quotes.
    """
    if value.__class__ is float and value.is_integer():
        return int(value) if abs(value) < 1e15 else cell_text(value)[0]
    return value
