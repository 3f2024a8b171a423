"""Import the roster from the academic system's Excel (.xlsx, .xls) or CSV exports.

Reading (``table_read``) turns the uploaded bytes into a header and rows, refusing
anything that is not a sound spreadsheet with one clear message (RosterFileError).
Workbooks are read by python-calamine in a child process (workbook_child.py) with a
ceiling on its memory, after checks that name the stray far cell of an honest file.
Importing (``roster_import``) checks every row with the card rules and the model's
constraints, collects every problem, and writes nothing unless the whole file is
clean — then writes it all in one transaction. Re-importing the same file changes
nothing; a changed row updates the student found by 学号.

学号 and 身份证号 must arrive as text. Excel keeps 15 significant digits, so an
18-digit 身份证号 stored as a number has already lost digits (4.30102E+17): such a
value is reported, never guessed.
"""

import csv
import io
import itertools
import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

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
from sessions_app.notice import class_name_parts
from sessions_app.selectors import normalise_name

logger = logging.getLogger(__name__)

# Limits against files that would exhaust the server; each can be set in settings.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ROWS = 60_000
MAX_COLUMNS = 200
# A zip whose members unpack to more than this, or at a ratio no spreadsheet reaches,
# is a zip bomb: refused before the reader opens it. The reader holds a sheet in
# memory at about three times its unpacked size.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_PACKING_RATIO = 150
# The reader holds every cell of a sheet's used range, at 32 bytes each: a single
# stray space in XFD1048576 would ask for 512 GB. A used range over this many cells
# is refused before the reader opens the file.
MAX_CELLS = 4_000_000
# What the workbook reader's child process may take: the memory a 60,000-row sheet
# needs several times over, and well over the seconds it needs.
READER_MEMORY_BYTES = 1536 * 1024 * 1024
READER_SECONDS = 60
HEADER_SEARCH_ROWS = 20
PROGRESS_EVERY = 500


def limit(name: str) -> int:
    return getattr(settings, "ROSTER_IMPORT_" + name, globals()[name])


class RosterFileError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


# Columns -----------------------------------------------------------------------------

# Field -> the header names the academic systems use for it, normalised (see _header_key).
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

_HEADER_NOISE = re.compile(r"[\s*＊:：]|[（(](必填|选填|可选|必须)[)）]")


# Zero-width spaces and joiners, the BOM and the soft hyphen: invisible on screen,
# copied in from web pages, and enough to make a 身份证号 "19 位".
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def _header_key(value) -> str:
    text = unicodedata.normalize("NFKC", str(value or "").translate(_INVISIBLE))
    return _HEADER_NOISE.sub("", text).lower()


_ALIAS_TO_FIELD = {
    _header_key(alias): name for name, aliases in COLUMN_ALIASES.items() for alias in aliases
}
_BRACKETED = re.compile(r"[（(【\[][^）)】\]]*[)）】\]]")


def _header_field(value) -> str | None:
    """The field a header names: 身份证号码(18位) and 学号（文本） as well as 院(系)."""
    key = _header_key(value)
    return _ALIAS_TO_FIELD.get(key) or _ALIAS_TO_FIELD.get(_BRACKETED.sub("", key))


def _match_header(cells: Sequence) -> dict[str, int]:
    """Return field -> column index for the header names found in a row."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = _header_field(cell)
        if name is not None and name not in found:
            found[name] = index
    return found


def _columns_missing(columns: dict[str, int]) -> bool:
    return any(f not in columns for f in REQUIRED_FIELDS) or (
        "class_name" not in columns and "category" not in columns
    )


def _filled(cell) -> bool:
    """Whether a cell holds anything but blanks."""
    return cell is not None and (cell.__class__ is not str or bool(cell.strip()))


def _trimmed(cells: Sequence) -> list:
    """The header cells up to the last one with text: a stray value far to the right
    pads every row of the sheet, the header's included."""
    cells = list(cells)
    while cells and not _filled(cells[-1]):
        cells.pop()
    return cells


def _two_row_header(upper: Sequence, lower: Sequence) -> list:
    """A header over two rows (证件信息 merged above 证件类型 | 身份证号): per column,
    the cell that names a field, else the lower one."""
    merged = []
    for index in range(max(len(upper), len(lower))):
        a = upper[index] if index < len(upper) else ""
        b = lower[index] if index < len(lower) else ""
        if _header_field(b) or not _header_field(a):
            merged.append(b if _filled(b) else a)
        else:
            merged.append(a)
    return merged


def _names_a_student(cells: Sequence, columns: dict[str, int]) -> bool:
    """Whether a row has a 学号 or 姓名 under the header's: then it is data, never the
    lower half of a two-row header (whose top cells are merged over both rows)."""
    for name in ("student_id", "name"):
        index = columns[name]
        if index < len(cells) and _filled(cells[index]):
            return True
    return False


@dataclass
class _Header:
    row: int  # 1-based spreadsheet row of the (last) header row
    cells: list
    columns: dict[str, int]
    rest: list  # rows read past the header while looking: (number, cells)

    @property
    def complete(self) -> bool:
        return not _columns_missing(self.columns)


def _header_find(numbered_rows: Iterator[tuple[int, list]]) -> _Header | None:
    """Find the header among the first rows: the first row naming 学号 and 姓名 and
    every required column, on its own or with the row below it. Without one, the
    first row naming 学号 and 姓名 (its missing columns make the message)."""
    head = list(itertools.islice(numbered_rows, HEADER_SEARCH_ROWS + 1))
    partial = None
    for position, (number, cells) in enumerate(head[:HEADER_SEARCH_ROWS]):
        columns = _match_header(cells)
        if "student_id" not in columns or "name" not in columns:
            continue
        header = _Header(number, _trimmed(cells), columns, head[position + 1 :])
        if header.complete:
            return header
        if position + 1 < len(head) and not _names_a_student(head[position + 1][1], columns):
            lower_number, lower = head[position + 1]
            merged = _trimmed(_two_row_header(cells, lower))
            two = _Header(lower_number, merged, _match_header(merged), head[position + 2 :])
            if two.complete:
                return two
        partial = partial or header
    return partial


# Reading -----------------------------------------------------------------------------


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


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "文件设置了密码（已加密），无法读取。请在 Excel 中取消密码后另存为 .xlsx 再上传。"
_NOT_SPREADSHEET = {
    b"%PDF": "这是一个 PDF 文件，不是表格。请上传 .xlsx、.xls 或 .csv 文件。",
    b"\x89PNG": "这是一张图片，不是表格。请上传 .xlsx、.xls 或 .csv 文件。",
    b"\xff\xd8\xff": "这是一张图片，不是表格。请上传 .xlsx、.xls 或 .csv 文件。",
    b"Rar!": "这是一个压缩包，不是表格。请上传 .xlsx、.xls 或 .csv 文件。",
    b"7z\xbc\xaf": "这是一个压缩包，不是表格。请上传 .xlsx、.xls 或 .csv 文件。",
}


def table_read(data: bytes, filename: str = "") -> Table:
    """Return the roster table of an .xlsx, .xls or .csv file, or raise RosterFileError."""
    if not data:
        raise RosterFileError(_("文件是空的。"))
    if len(data) > limit("MAX_UPLOAD_BYTES"):
        raise RosterFileError(
            _("文件大小 %(size).1f MB，超过 %(limit)d MB 的上限。")
            % {"size": len(data) / 1048576, "limit": limit("MAX_UPLOAD_BYTES") // 1048576}
        )
    if data.startswith(_OLE_MAGIC):
        # A password-protected .xlsx is an OLE compound file holding the encrypted
        # package; a legacy .xls (what many academic systems still export) is one too.
        if "EncryptionInfo".encode("utf-16-le") in data[:1048576] or b"EncryptionInfo" in data:
            raise RosterFileError(_(_ENCRYPTED))
        _xls_check(data)
        return _workbook_read(data, filename, "xls")
    for magic, message in _NOT_SPREADSHEET.items():
        if data.startswith(magic):
            raise RosterFileError(_(message))
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head:
            raise RosterFileError(
                _(
                    "这是 Excel 2003 的 XML 表格。请用 Excel 打开后“另存为” .xlsx（Excel 工作簿）"
                    "再上传。"
                )
            )
        if b"<html" in head or b"<table" in head:
            raise RosterFileError(
                _(
                    "这是网页格式的表格（不少教务系统“导出 Excel”给出的就是这种文件，"
                    "扩展名虽是 .xls）。请用 Excel 打开后“另存为” .xlsx（Excel 工作簿）再上传。"
                )
            )
    if data.startswith(b"PK"):
        errors = _xlsx_extent_check(_zip_check(data))
        return _workbook_read(data, filename, "xlsx", error_cells=errors)
    return _csv_read(data, filename)


def _zip_check(data: bytes) -> zipfile.ZipFile:
    """Return the .xlsx archive, once it is known to be a sound, unencrypted workbook."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise RosterFileError(_("文件已损坏，无法作为 .xlsx 打开。")) from None
    names = {m.filename for m in members}
    if "mimetype" in names and b"opendocument.spreadsheet" in archive.open("mimetype").read(100):
        raise RosterFileError(
            _("这是 OpenDocument（.ods）表格。请在 WPS 或 Excel 中“另存为” .xlsx 再上传。")
        )
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        if any(n.endswith(".docx") or n.startswith("word/") for n in names):
            raise RosterFileError(_("这是 Word 文档，不是表格。请上传 .xlsx、.xls 或 .csv 文件。"))
        raise RosterFileError(
            _("这是一个压缩包，不是 Excel 工作簿。请上传 .xlsx、.xls 或 .csv 文件。")
        )
    unpacked = sum(m.file_size for m in members)
    worst = max((m.file_size / max(m.compress_size, 1) for m in members), default=0)
    if unpacked > limit("MAX_UNPACKED_BYTES") or (
        worst > limit("MAX_PACKING_RATIO") and unpacked > 10 * 1024 * 1024
    ):
        raise RosterFileError(
            _("文件解压后异常巨大（%(size)d MB），疑似恶意文件，已拒绝。")
            % {"size": unpacked // 1048576}
        )
    if any(m.flag_bits & 0x1 for m in members):
        raise RosterFileError(_(_ENCRYPTED))
    return archive


# A cell that holds something: <c r="B7" ...> not closed on the spot (<c r="B7" s="1"/>
# is only formatting, which the reader skips). The prefix allows <x:c> of some writers.
_CONTENT_CELL = re.compile(
    rb'<(?:[A-Za-z_][\w.-]*:)?c\s(?:[^>]*?\s)?r="([A-Z]{1,3})([0-9]{1,7})"[^>]*(?<!/)>'
)
_LAST_ROW = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?row\s(?:[^>]*?\s)?r="([0-9]{1,7})"')


def _xlsx_extent_check(archive: zipfile.ZipFile) -> int:
    """Refuse a workbook one of whose sheets reaches absurdly far (see MAX_CELLS);
    return how many cells hold an Excel error (#N/A …), which the reader reads as blank.

    A quick bound comes first: rows ascend, so the last <row> is the farthest, and
    columns past Z are rare enough to look for directly. Only a sheet that fails it
    is scanned cell by cell, as a far row may hold nothing but formatting.
    """
    from openpyxl.utils import column_index_from_string

    error_cells = 0
    for member in archive.infolist():
        name = member.filename
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        xml = archive.read(member)
        error_cells += xml.count(b't="e"')
        end = max(xml.rfind(b"sheetData>"), 0) or len(xml)  # <rowBreaks> may follow it
        last = _LAST_ROW.search(
            xml, max(xml.rfind(b"<row", 0, end), xml.rfind(b":row", 0, end), 1) - 1
        )
        # Rows without an r attribute count on from one: their number is a bound too.
        rows = [int(last.group(1)) if last else 0, xml.count(b"<row") + xml.count(b":row ")]
        last_row = max(rows)
        columns = 26
        for width in (3, 2):
            found = set(re.findall(rb' r="([A-Z]{%d})[0-9]' % width, xml))
            if found:
                columns = max(column_index_from_string(c.decode()) for c in found)
                break
        if last_row * columns <= limit("MAX_CELLS"):
            continue
        far_row = far_column = 0
        for letters, digits in _CONTENT_CELL.findall(xml):
            far_row = max(far_row, int(digits))
            far_column = max(far_column, column_index_from_string(letters.decode()))
        if far_row * far_column > limit("MAX_CELLS"):
            raise RosterFileError(_far_range_message(far_row, far_column))
    return error_cells


def _xls_check(data: bytes) -> None:
    """Refuse an encrypted or absurdly wide .xls before the reader opens it.

    A BIFF workbook states each sheet's used range in a DIMENSIONS record; FILEPASS
    marks an encrypted one.
    """
    import struct

    import olefile

    try:
        ole = olefile.OleFileIO(data)
        stream = "Workbook" if ole.exists("Workbook") else "Book"
        biff = ole.openstream(stream).read()
    except Exception:
        # Not an OLE file the reader could open either: it says so itself.
        return
    position = 0
    while position + 4 <= len(biff):
        record, size = struct.unpack_from("<HH", biff, position)
        body = position + 4
        if record == 0x002F:  # FILEPASS
            raise RosterFileError(_(_ENCRYPTED))
        if record == 0x0200 and size >= 10:  # DIMENSIONS
            if size >= 14:  # BIFF8: 32-bit row numbers
                _first, rows, _first_col, columns = struct.unpack_from("<IIHH", biff, body)
            else:  # BIFF5
                _first, rows, _first_col, columns = struct.unpack_from("<HHHH", biff, body)
            if rows * columns > limit("MAX_CELLS"):
                raise RosterFileError(_far_range_message(rows, columns))
        position = body + size


def _far_range_message(rows: int, columns: int) -> str:
    from openpyxl.utils import get_column_letter

    column = get_column_letter(min(max(columns, 1), 18278))
    return _(
        "有一个工作表的内容一直延伸到第 %(rows)d 行、第 %(col)s 列（%(col)s%(rows)d 单元格），"
        "远超名单所需，可能是误输入的空格或内容。请在 Excel 中删除名单下方和右侧多余的行与列"
        "（或把名单复制到新的工作簿），保存后重新上传。"
    ) % {"rows": rows, "col": column}


def _workbook_sheets(data: bytes, filename: str, kind: str) -> list[tuple]:
    """Return [(index, name, visible, rows or None)] of the workbook's worksheets.

    calamine (Rust) reads ten times faster than openpyxl, but holds a sheet's whole
    used range and aborts its process when an allocation fails. The checks before it
    catch the honest stray cell with a precise message; this child process, with a
    ceiling on its memory and time, catches whatever they miss.
    """
    import pickle
    import subprocess
    import sys
    from pathlib import Path

    child = Path(__file__).with_name("workbook_child.py")
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(child), str(limit("READER_MEMORY_BYTES"))],
            input=data,
            capture_output=True,
            timeout=limit("READER_SECONDS"),
            check=False,
        )
    except subprocess.TimeoutExpired:
        logger.warning("reading %r took too long", filename)
        raise RosterFileError(_(_TOO_BIG_TO_READ)) from None
    if done.returncode != 0 or not done.stdout:
        logger.warning(
            "workbook reader for %r exited %s: %s",
            filename,
            done.returncode,
            done.stderr.decode("utf-8", "replace")[-500:],
        )
        raise RosterFileError(_(_TOO_BIG_TO_READ))
    result = pickle.loads(done.stdout)
    if result["error"] == "password":
        raise RosterFileError(_(_ENCRYPTED))
    if result["error"]:
        logger.warning("unreadable %s upload %r", kind, filename)
        raise RosterFileError(_broken_message(kind))
    return result["sheets"]


_TOO_BIG_TO_READ = (
    "表格无法读取：某个工作表的范围异常巨大（可能有远离名单的误输入内容）。"
    "请把名单复制到新的工作簿，另存为 .xlsx 后重新上传。"
)


def _broken_message(kind: str) -> str:
    if kind == "xls":
        return _(
            "文件无法作为旧版 Excel（.xls）读取，可能已损坏。"
            "请在 Excel 中“另存为” .xlsx 或 CSV 后再上传。"
        )
    return _("文件已损坏或不是有效的 .xlsx 工作簿，无法读取。")


def _workbook_read(data: bytes, filename: str, kind: str, error_cells: int = 0) -> Table:
    """Read an .xlsx (already through the zip and extent checks) or a legacy .xls."""
    sheets = _workbook_sheets(data, filename, kind)
    # Visible sheets first: a hidden one often keeps last year's roster. Row i of a
    # sheet is spreadsheet row i + 1; columns start at the first used one, the same
    # for header and data.
    sheets.sort(key=lambda sheet: not sheet[2])
    found = partial = None
    failures = 0
    for _index, name, visible, sheet_rows in sheets:
        if sheet_rows is None:
            failures += 1
            continue
        header = _header_find(enumerate(sheet_rows, start=1))
        if header is None:
            continue
        if header.complete:
            found = (header, name, visible, sheet_rows)
            break
        partial = partial or header
    if found is None:
        if partial is not None:
            _columns_check(partial.cells, partial.columns)
        if failures:
            raise RosterFileError(_broken_message(kind))
        raise RosterFileError(_missing_header_message())
    header, name, visible, sheet_rows = found
    _columns_check(header.cells, header.columns)
    header_row = header.row
    notes = []
    if error_cells:
        notes.append(
            _(
                "工作簿中有 %(n)d 个单元格是公式错误（如 #N/A、#REF!），按空白读入；"
                "若某行提示“请填写”，请在 Excel 中把这些单元格改为实际内容。"
            )
            % {"n": error_cells}
        )
    if len(sheets) > 1:
        notes.append(
            _("名单读自工作表“%(sheet)s”%(hidden)s（工作簿共 %(n)d 个工作表）。")
            % {"sheet": name, "hidden": "" if visible else _("（隐藏）"), "n": len(sheets)}
        )
    data_rows = sheet_rows[header_row:]

    def rows():
        return _limited(enumerate(data_rows, start=header_row + 1))

    return Table(
        filename=filename,
        kind=kind,
        headers=[_cell_text(h)[0] for h in header.cells],
        header_row=header_row,
        columns=header.columns,
        open_rows=rows,
        # Trailing blank rows may make it an overestimate; it drives the progress bar.
        total_rows=len(data_rows),
        notes=notes,
    )


def _limited(numbered_rows: Iterator[tuple[int, list]]) -> Iterator[tuple[int, list]]:
    """Pass rows on, refusing the file past MAX_ROWS rows with anything in them
    (blank rows, however many, do not count)."""
    filled = 0
    ceiling = limit("MAX_ROWS")
    for number, cells in numbered_rows:
        for cell in cells:
            if _filled(cell):
                filled += 1
                if filled > ceiling:
                    raise RosterFileError(
                        _("文件超过 %(limit)d 行学生数据的上限。") % {"limit": ceiling}
                    )
                break
        yield number, cells


def _decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name shown to the user) of a CSV file."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            pass
        # What Chinese Excel writes for "CSV (逗号分隔)"; GB18030 is a superset of GBK.
        try:
            return data.decode("gb18030"), "GBK/GB18030"
        except UnicodeDecodeError:
            pass
    raise RosterFileError(_("无法识别文件的文字编码。请用 Excel 另存为 .xlsx 或 UTF-8 CSV。"))


def _csv_read(data: bytes, filename: str) -> Table:
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RosterFileError(_("这不是表格文件。请上传 .xlsx、.xls 或 .csv 文件。"))
    text, encoding = _decode(data)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","

    def reader():
        return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    # Rows are numbered by record, as Excel shows them: a quoted cell with a line
    # break in it is still one row.
    try:
        iterator = reader()
        header = _header_find(enumerate(iterator, start=1))
    except csv.Error:
        raise RosterFileError(_("CSV 文件格式有误，无法读取。")) from None
    if header is None:
        raise RosterFileError(_missing_header_message())
    _columns_check(header.cells, header.columns)
    header_row = header.row
    total = max(text.count("\n") - header_row + 1, 0)
    if total > limit("MAX_ROWS") * 2:
        # Far past the limit even allowing for blank lines: no need to read it.
        raise RosterFileError(
            _("文件有 %(rows)d 行，超过 %(limit)d 行的上限。")
            % {"rows": total, "limit": limit("MAX_ROWS")}
        )

    def rows():
        reached = [header_row]

        def numbered():
            for number, cells in enumerate(reader(), start=1):
                reached[0] = number
                if number > header_row:
                    yield number, cells

        try:
            yield from _limited(numbered())
        except csv.Error:
            raise RosterFileError(
                _("CSV 文件第 %(line)d 行格式有误。") % {"line": reached[0] + 1}
            ) from None

    return Table(
        filename=filename,
        kind="csv",
        headers=header.cells,
        header_row=header_row,
        columns=header.columns,
        open_rows=rows,
        total_rows=total,
        encoding=encoding,
    )


def _missing_header_message() -> str:
    return _(
        "没有找到表头：前 %(n)d 行中须有一行含“学号”和“姓名”列"
        "（还须有“身份证号”列；“班级”“学院”“性别”“学历类别”“类别”可选）。"
    ) % {"n": HEADER_SEARCH_ROWS}


def _columns_check(headers: Sequence, columns: dict[str, int]) -> None:
    named = sum(1 for cell in headers if _filled(cell))
    if named > limit("MAX_COLUMNS"):
        raise RosterFileError(_("表头的列数过多（%(n)d 列）。") % {"n": named})
    missing = [FIELD_LABELS[f] for f in REQUIRED_FIELDS if f not in columns]
    if "class_name" not in columns and "category" not in columns:
        missing.append(_("班级（个人类别的名单可用“类别”列代替）"))
    if missing:
        raise RosterFileError(
            _("缺少必需的列：%(missing)s。表头须含 学号、姓名、身份证号（或 身份证号码）、班级。")
            % {"missing": "、".join(missing)}
        )
    seen: dict[str, str] = {}
    for index, cell in enumerate(headers):
        name = _header_field(cell)
        if name is None:
            continue
        if name in seen and columns.get(name) != index:
            raise RosterFileError(
                _("“%(a)s”和“%(b)s”两列都是%(field)s，请删去一列。")
                % {"a": seen[name], "b": cell, "field": FIELD_LABELS[name]}
            )
        seen[name] = str(cell)


# Checking ----------------------------------------------------------------------------


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
        """Notes about the file as a whole (the sheet read, error cells …)."""
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


_SCIENTIFIC = re.compile(r"^\s*[+-]?\d+(\.\d+)?[eE][+-]?\d+\s*$")
_FLOAT_TAIL = re.compile(r"^\d+\.0+$")

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
_FIELD_OF_ISSUE = {
    "student_id": "student_id",
    "name": "name",
    "id_number": "id_number",
    "education_type": "education_type",
    "school_type": "school_type",
}
_MAX_LENGTHS = {
    "student_id": Student._meta.get_field("student_id").max_length,
    "name": Student._meta.get_field("name").max_length,
    "class_name": SchoolClass._meta.get_field("name").max_length,
    "college": College._meta.get_field("name").max_length,
}


def _choice_key(value: str) -> str:
    return "".join(unicodedata.normalize("NFKC", value).split()).lower()


def _cell_text(value) -> tuple[str, bool]:
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


_EXCEL_TEXT = re.compile(r'="([^"]*)"')


def cell_as_shown(value):
    """Return a cell's value as the spreadsheet showed it, to write it back.

    The reader gives every number as a float; a whole one (学号 1730101001, 序号 3)
    goes back as the integer Excel displayed, not as 1730101001.0, and one past
    Excel's 15 digits (a 身份证号 typed as a number) as the text the report quotes.
    """
    if value.__class__ is float and value.is_integer():
        return int(value) if abs(value) < 1e15 else _cell_text(value)[0]
    return value


class _Checker:
    """Check rows one by one, remembering what cross-row checks need."""

    def __init__(self, *, campaign: Campaign, table: Table):
        from cards_app.rules import check_card

        self.check_card = check_card
        self.campaign = campaign
        self.table = table
        self.report = ImportReport(
            filename=table.filename, kind=table.kind, encoding=table.encoding
        )
        self.report.columns = {
            FIELD_LABELS[f]: table.headers[i] for f, i in sorted(table.columns.items(), key=_by_i)
        }
        self.report.ignored_columns = table.ignored_headers
        self.pattern = settings.STUDENT_ID_PATTERN
        self.rules = {r.category: r for r in campaign.category_rules.all()}
        self.classes = {c.name: c for c in SchoolClass.objects.filter(campaign=campaign)}
        self.colleges = {c.name: c for c in College.objects.all()}
        self.class_names = {c.pk: c.name for c in self.classes.values()}
        self.college_names = {c.pk: c.name for c in self.colleges.values()}
        self.existing: dict[str, dict] = {}
        self.other_campaign: dict[str, str] = {}
        titles = dict(Campaign.objects.values_list("pk", "title"))
        fields = (
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
        self.id_owner: dict[str, str] = {}
        for values in Student.objects.values_list(*fields).iterator(chunk_size=5000):
            record = dict(zip(fields, values, strict=True))
            if record["campaign_id"] == campaign.pk:
                self.existing[record["student_id"]] = record
                self.id_owner[record["id_number"]] = record["student_id"]
            else:
                self.other_campaign[record["student_id"]] = titles.get(record["campaign_id"], "")
        self.seen_ids: dict[str, int] = {}
        self.seen_id_numbers: dict[str, int] = {}
        self.new_class_names: dict[str, str] = {}  # class -> college name ("" if none)
        self.numeric_student_ids = 0
        self.to_create: list[tuple[str, dict]] = []
        self.to_update: list[tuple[dict, dict]] = []

    # One row.

    def row(self, number: int, cells: list) -> None:
        columns = self.table.columns
        problems: list[Problem] = []

        def header(name):
            return self.table.headers[columns[name]] if name in columns else FIELD_LABELS[name]

        def add(name, value, message):
            problems.append(Problem(number, header(name), str(value), message))

        raw: dict[str, str] = {}
        numeric: dict[str, bool] = {}
        for name, index in columns.items():
            value = cells[index] if index < len(cells) else None
            raw[name], numeric[name] = _cell_text(value)
        if not any(raw.values()):
            return  # a blank line between blocks is not a student
        if all(_header_field(raw[f]) == f for f in ("student_id", "name")):
            return  # the header again, above the next class's block
        self.report.rows += 1

        # IDs as numbers: Excel has kept 15 significant digits at most.
        id_text = raw.get("id_number", "")
        id_mangled = False
        if numeric.get("id_number") and len(id_text) == 15 and id_text.isdigit():
            id_mangled = True
            add(
                "id_number",
                id_text,
                _(
                    "这是 15 位的旧身份证号，采集卡须填 18 位新号码。"
                    "请把该列设为“文本”格式，填入 18 位号码。"
                ),
            )
        elif numeric.get("id_number"):
            id_mangled = True
            add(
                "id_number",
                id_text,
                _(
                    "身份证号存成了数字（Excel 只保留 15 位有效数字，后几位已丢失），"
                    "无法还原。请把该列设为“文本”格式，重新填入完整的 18 位号码。"
                ),
            )
        elif _SCIENTIFIC.match(id_text):
            id_mangled = True
            add(
                "id_number",
                id_text,
                _(
                    "身份证号被 Excel 显示为科学计数法，位数已丢失，无法还原。请以文本格式重新填入。"
                ),
            )
        sid_text = raw.get("student_id", "")
        sid_mangled = False
        if numeric.get("student_id"):
            if not sid_text.isdigit() or len(sid_text) > 15:
                sid_mangled = True
                add(
                    "student_id",
                    sid_text,
                    _("学号存成了数字，位数已丢失，无法还原。请把该列设为“文本”格式重新填入。"),
                )
            else:
                self.numeric_student_ids += 1
        elif _SCIENTIFIC.match(sid_text) or _FLOAT_TAIL.match(sid_text):
            sid_mangled = True
            add(
                "student_id",
                sid_text,
                _("学号被 Excel 转成了数字格式（%(v)s），无法确定原值。请以文本格式重新填入。")
                % {"v": sid_text},
            )

        # Category, then what the card must say for it.
        category = StudentCategory.CURRENT
        category_text = raw.get("category", "")
        if category_text:
            key = _choice_key(category_text)
            category = _CATEGORIES.get(key)
            if category is None:
                for rule in self.rules.values():
                    if _choice_key(rule.label) == key:
                        category = rule.category
            if category is None:
                add(
                    "category",
                    category_text,
                    _("类别不认识；可填：%(choices)s。")
                    % {"choices": "、".join(str(label) for label in StudentCategory.labels)},
                )
                category = StudentCategory.CURRENT
        rule = self.rules.get(category)
        expected_education = rule.education_type if rule else EducationType.REGULAR_JUNIOR
        expected_school = rule.school_type if rule else SchoolType.REGULAR

        # The card rules judge 学历类别 and 所在校别; the academic systems' own words for
        # them (高职专科 …) are translated first. Blank means what the category puts.
        education_text = raw.get("education_type", "")
        school_text = raw.get("school_type", "")
        education = (
            _EDUCATION_TYPES.get(_choice_key(education_text), education_text)
            if education_text
            else expected_education
        )
        school = (
            _SCHOOL_TYPES.get(_choice_key(school_text), school_text)
            if school_text
            else expected_school
        )

        # The card rules: 学号, 姓名, 身份证号, 学历类别, 所在校别.
        result = self.check_card(
            student_id=None if sid_mangled else sid_text,
            name=raw.get("name", ""),
            id_number=None if id_mangled else id_text,
            education_type=education,
            school_type=school,
            expected_education_type=expected_education,
            expected_school_type=expected_school,
            student_id_pattern=self.pattern,
        )
        source = {
            "student_id": sid_text,
            "name": raw.get("name", ""),
            "id_number": id_text,
            "education_type": education_text or str(EducationType(education).label),
            "school_type": school_text or str(SchoolType(school).label),
        }
        column_of_issue = {"education_type": "education_type", "school_type": "school_type"}
        for issue in result.errors:
            if issue.field == "student_id" and sid_mangled:
                continue
            if issue.field == "id_number" and id_mangled:
                continue
            name = column_of_issue.get(issue.field, issue.field)
            if name not in FIELD_LABELS:
                name = "name"
            message = issue.message
            if issue.field == "id_number" and re.fullmatch(r"\d{15}000", id_text):
                message += _("（末三位是 000：可能被 Excel 截成了 15 位有效数字）")
            add(name, source.get(issue.field, ""), message)
        for issue in result.warnings:
            name = issue.field if issue.field in FIELD_LABELS else "name"
            self.report.warnings.append(
                Problem(number, header(name), source.get(issue.field, ""), issue.message)
            )
        card = result.card or {}
        education = card.get("education_type") or expected_education
        school = card.get("school_type") or expected_school
        student_id = card.get("student_id") or normalise_name(sid_text)
        name = card.get("name") or normalise_name(raw.get("name", ""))
        id_number = card.get("id_number") or id_text.upper()
        if len(student_id) > _MAX_LENGTHS["student_id"]:
            add("student_id", sid_text, _("学号过长（最多 %d 位）。") % _MAX_LENGTHS["student_id"])
        if len(name) > _MAX_LENGTHS["name"]:
            add("name", raw.get("name", ""), _("姓名过长。"))

        # Gender: blank takes the ID's; a different one is a typing error somewhere.
        gender_text = raw.get("gender", "")
        gender = ""
        id_gender = ""
        if re.fullmatch(r"\d{17}[\dX]", id_number or "") and not id_mangled:
            id_gender = Gender.MALE if int(id_number[16]) % 2 else Gender.FEMALE
        if gender_text:
            gender = _GENDERS.get(_choice_key(gender_text), "")
            if not gender:
                add("gender", gender_text, _("性别应填“男”或“女”。"))
            elif id_gender and gender != id_gender and not result.errors:
                add(
                    "gender",
                    gender_text,
                    _("性别与身份证号不符：身份证号第 17 位表示%(g)s。")
                    % {"g": Gender(id_gender).label},
                )
        gender = gender or id_gender

        # Class (created if new) and college.
        class_name = normalise_name(raw.get("class_name", ""))
        college_name = normalise_name(raw.get("college", ""))
        school_class = None
        if class_name:
            if len(class_name) > _MAX_LENGTHS["class_name"]:
                add("class_name", class_name, _("班级名称过长。"))
            elif class_name in self.classes:
                school_class = self.classes[class_name]
                if college_name and school_class.college_id:
                    current = self.college_names.get(school_class.college_id)
                    if current is not None and current != college_name:
                        self.report.warnings.append(
                            Problem(
                                number,
                                header("college"),
                                college_name,
                                _("班级 %(c)s 已属于 %(s)s，本列不会改变它。")
                                % {"c": class_name, "s": current},
                            )
                        )
            else:
                if len(college_name) > _MAX_LENGTHS["college"]:
                    add("college", college_name, _("学院名称过长。"))
                self.new_class_names.setdefault(class_name, college_name)
        elif category == StudentCategory.CURRENT:
            add(
                "class_name" if "class_name" in columns else "category",
                "",
                _("应届在校生必须填写班级；个人参加的请在“类别”列填 往届生、成教生 等。"),
            )

        # Duplicates within the file and against the database.
        if student_id and not sid_mangled:
            first = self.seen_ids.get(student_id)
            if first is not None:
                add("student_id", sid_text, _("学号与第 %(row)d 行重复。") % {"row": first})
            else:
                self.seen_ids[student_id] = number
            if student_id in self.other_campaign:
                add(
                    "student_id",
                    sid_text,
                    _("学号已属于另一次采集“%(title)s”的学生。")
                    % {"title": self.other_campaign[student_id]},
                )
        if (
            id_number
            and not id_mangled
            and not any(p.column == header("id_number") for p in problems)
        ):
            first = self.seen_id_numbers.get(id_number)
            if first is not None:
                add(
                    "id_number",
                    id_text,
                    _("身份证号与第 %(row)d 行重复。") % {"row": first},
                )
            else:
                self.seen_id_numbers[id_number] = number
            owner = self.id_owner.get(id_number)
            if owner is not None and owner != student_id:
                add(
                    "id_number",
                    id_text,
                    _("身份证号已属于学号 %(owner)s 的学生。") % {"owner": owner},
                )

        outcome = RowOutcome(number, student_id, name, class_name)
        if problems:
            outcome.action = "error"
            self.report.problems.extend(problems)
            return
        values = {
            "name": name,
            "id_number": id_number,
            "gender": gender,
            "class_name": class_name,
            "category": category,
            "education_type": education,
            "school_type": school,
        }
        record = self.existing.get(student_id)
        if record is None:
            outcome.action = "new"
            self.report.new.append(outcome)
            self.to_create.append((student_id, values))
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
        report = self.report
        report.warnings[:0] = [Problem(0, "", "", note) for note in self.table.notes]
        if self.numeric_student_ids:
            report.warnings.insert(
                0,
                Problem(
                    0,
                    self.table.headers[self.table.columns["student_id"]],
                    "",
                    _(
                        "有 %(n)d 个学号是数字格式的单元格，已按显示的数字读入；"
                        "若有学号以 0 开头，请把该列设为“文本”格式后重新导出。"
                    )
                    % {"n": self.numeric_student_ids},
                ),
            )
        if report.rows == 0 and not report.problems:
            report.problems.append(Problem(0, "", "", _("文件中没有学生数据（表头下面是空的）。")))
        report.new_classes = sorted(self.new_class_names)
        report.new_colleges = sorted(
            {c for c in self.new_class_names.values() if c and c not in self.colleges}
        )
        report.not_in_file = len(set(self.existing) - set(self.seen_ids))
        return report

    # Writing.

    def write(self) -> None:
        colleges = dict(self.colleges)
        new_colleges = [College(name=n) for n in self.report.new_colleges]
        College.objects.bulk_create(new_colleges)
        colleges.update(
            {c.name: c for c in College.objects.filter(name__in=self.report.new_colleges)}
        )
        new_classes = []
        for name in self.report.new_classes:
            major, entry_year = class_name_parts(name)
            new_classes.append(
                SchoolClass(
                    campaign=self.campaign,
                    name=name,
                    major=major[: SchoolClass._meta.get_field("major").max_length],
                    entry_year=entry_year,
                    college=colleges.get(self.new_class_names[name]),
                )
            )
        SchoolClass.objects.bulk_create(new_classes)
        classes = {c.name: c for c in SchoolClass.objects.filter(campaign=self.campaign)}

        class_ids = {name: klass.pk for name, klass in classes.items()}
        _students_insert(
            {
                "campaign_id": self.campaign.pk,
                "student_id": student_id,
                "name": values["name"],
                "id_number": values["id_number"],
                "gender": values["gender"],
                "school_class_id": class_ids.get(values["class_name"]),
                "category": values["category"],
                "education_type": values["education_type"],
                "school_type": values["school_type"],
            }
            for student_id, values in self.to_create
        )
        updates = []
        for record, values in self.to_update:
            student = Student(pk=record["pk"], campaign=self.campaign)
            student.student_id = record["student_id"]
            student.name = values["name"]
            student.id_number = values["id_number"]
            student.gender = values["gender"]
            klass = classes.get(values["class_name"])
            student.school_class_id = klass.pk if klass else None
            student.category = values["category"]
            student.education_type = values["education_type"]
            student.school_type = values["school_type"]
            updates.append(student)
        Student.objects.bulk_update(
            updates,
            [
                "name",
                "id_number",
                "gender",
                "school_class",
                "category",
                "education_type",
                "school_type",
            ],
            batch_size=500,
        )


def _students_insert(rows: Iterable[dict]) -> None:
    """Insert new students, given as {attname: value}, with one executemany.

    bulk_create prepares every field of every instance through the ORM, which costs
    ten times the INSERT itself for a 20,000-row roster (and SQLite's parameter limit
    cuts it into 90-row statements). The values here are already clean: the checks
    above have normalised them, and every other column takes its model default.
    """
    fields = [f for f in Student._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = "INSERT INTO %s (%s) VALUES (%s)" % (
        quote(Student._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    defaults = {f.attname: f.get_db_prep_save(f.get_default(), connection) for f in fields}
    attnames = [f.attname for f in fields]
    with connection.cursor() as cursor:
        batch = []
        for row in rows:
            batch.append(tuple(row[a] if a in row else defaults[a] for a in attnames))
            if len(batch) == 5000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _by_i(item):
    return item[1]


def _label(choices, value) -> str:
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


class RosterImportError(Exception):
    """The import was refused; ``report`` says why, row by row."""

    def __init__(self, report: ImportReport):
        super().__init__(_("名单有 %(n)d 处问题，未导入。") % {"n": len(report.problems)})
        self.report = report


def roster_import(
    *,
    campaign: Campaign,
    table: Table,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Check every row of the table and, unless ``dry_run``, import it all or nothing.

    Returns the report; ``report.imported`` says whether anything was written. A file
    with problems writes nothing, whether dry run or not.
    """

    def run() -> ImportReport:
        checker = _Checker(campaign=campaign, table=table)
        total = table.total_rows
        done = 0
        for number, cells in table.rows():
            checker.row(number, cells)
            done += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done, max(total, done))
        if progress is not None:
            progress(done, done)
        report = checker.finish()
        report.dry_run = dry_run
        if report.ok and not dry_run:
            checker.write()
            report.imported = True
        return report

    if dry_run:
        return run()
    try:
        with transaction.atomic():
            # One import per campaign at a time: the second waits and then sees the
            # first's students, so both cannot create the same 学号.
            Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
            return run()
    except IntegrityError:
        logger.warning("roster import refused by the database", exc_info=True)
        raise RosterFileError(
            _("数据库拒绝了这次导入（可能有人同时在导入名单），未写入任何数据，请重试。")
        ) from None
