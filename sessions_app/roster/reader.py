"""Read a roster file: the bytes of an .xlsx, .xls or .csv export become a Table.

Anything that is not a sound spreadsheet is refused with one clear message
(RosterFileError): a PDF or a picture, an encrypted workbook, a zip bomb, a sheet
reaching absurdly far. Workbooks are read by python-calamine in a child process
(workbook_child.py) with a ceiling on its memory and time, after checks that name the
stray far cell of an honest file. CSV may be UTF-8, GBK/GB18030 or UTF-16.

The limits are settings (ROSTER_IMPORT_*, see settings.py); two more are fixed here.
"""

import csv
import io
import logging
import pickle
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import olefile
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.utils import column_index_from_string, get_column_letter

from sessions_app.roster.table import (
    Layout,
    RosterFileError,
    Table,
    cell_text,
    columns_check,
    header_find,
    limited,
    missing_header_message,
)

logger = logging.getLogger(__name__)

MB = 1024 * 1024
# A zip whose members unpack to more than this, or at a ratio no spreadsheet reaches,
# is a zip bomb: refused before the reader opens it. The reader holds a sheet in
# memory at about three times its unpacked size.
MAX_UNPACKED_BYTES = 200 * MB
MAX_PACKING_RATIO = 150
WORKBOOK_CHILD = Path(__file__).with_name("workbook_child.py")


def upload_size_problem(size: int) -> str:
    """Return why a file of ``size`` bytes is refused, or "" if its size is fine."""
    if size == 0:
        return _("文件是空的。")
    limit = settings.ROSTER_IMPORT_MAX_UPLOAD_BYTES
    if size > limit:
        return _("文件大小 %(size).1f MB，超过 %(limit)d MB 的上限。") % {
            "size": size / MB,
            "limit": limit // MB,
        }
    return ""


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "文件设置了密码（已加密），无法读取。请在 Excel 中取消密码后另存为 .xlsx 再上传。"
_NOT_SPREADSHEET = {
    b"%PDF": "这是一个 PDF 文件，不是表格。请上传 .xlsx、.xls 或 .csv 文件。",
    b"\x89PNG": "这是一张图片，不是表格。请上传 .xlsx、.xls 或 .csv 文件。",
    b"\xff\xd8\xff": "这是一张图片，不是表格。请上传 .xlsx、.xls 或 .csv 文件。",
    b"Rar!": "这是一个压缩包，不是表格。请上传 .xlsx、.xls 或 .csv 文件。",
    b"7z\xbc\xaf": "这是一个压缩包，不是表格。请上传 .xlsx、.xls 或 .csv 文件。",
}


def table_read(data: bytes, filename: str = "", layout: Layout | None = None) -> Table:
    """Return the roster table (or the table of another ``layout``) of an .xlsx, .xls or
    .csv file, or raise RosterFileError."""
    size_problem = upload_size_problem(len(data))
    if size_problem:
        raise RosterFileError(size_problem)
    if data.startswith(_OLE_MAGIC):
        # A password-protected .xlsx is an OLE compound file holding the encrypted
        # package; a legacy .xls (what many academic systems still export) is one too.
        if "EncryptionInfo".encode("utf-16-le") in data[:MB] or b"EncryptionInfo" in data:
            raise RosterFileError(_(_ENCRYPTED))
        _xls_check(data)
        return _workbook_read(data, filename, "xls", layout=layout)
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
        try:
            errors = _xlsx_extent_check(_zip_check(data))
        except _ARCHIVE_ERRORS:
            # An intact directory over a damaged member: a bad CRC, a broken stream.
            raise RosterFileError(_broken_message("xlsx")) from None
        return _workbook_read(data, filename, "xlsx", error_cells=errors, layout=layout)
    return _csv_read(data, filename, layout)


_ARCHIVE_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,  # a compression method zipfile does not know
    RuntimeError,  # an encrypted member
)


def _zip_check(data: bytes) -> zipfile.ZipFile:
    """Return the .xlsx archive, once it is known to be a sound, unencrypted workbook."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise RosterFileError(_broken_message("xlsx")) from None
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
    if unpacked > MAX_UNPACKED_BYTES or (worst > MAX_PACKING_RATIO and unpacked > 10 * MB):
        raise RosterFileError(
            _("文件解压后异常巨大（%(size)d MB），疑似恶意文件，已拒绝。")
            % {"size": unpacked // MB}
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
        # Cells without an r attribute name no column: count them instead, every one
        # is at least a cell of the used range.
        cells = sum(xml.count(tag) for tag in (b"<c ", b"<c>", b"<c/", b":c ", b":c>"))
        if cells > settings.ROSTER_IMPORT_MAX_CELLS:
            raise RosterFileError(_far_range_message(last_row, cells // max(last_row, 1)))
        if last_row * columns <= settings.ROSTER_IMPORT_MAX_CELLS:
            continue
        far_row = far_column = 0
        for letters, digits in _CONTENT_CELL.findall(xml):
            far_row = max(far_row, int(digits))
            far_column = max(far_column, column_index_from_string(letters.decode()))
        if far_row * far_column > settings.ROSTER_IMPORT_MAX_CELLS:
            raise RosterFileError(_far_range_message(far_row, far_column))
    return error_cells


def _xls_check(data: bytes) -> None:
    """Refuse an encrypted or absurdly wide .xls before the reader opens it.

    A BIFF workbook states each sheet's used range in a DIMENSIONS record; FILEPASS
    marks an encrypted one.
    """
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
            if rows * columns > settings.ROSTER_IMPORT_MAX_CELLS:
                raise RosterFileError(_far_range_message(rows, columns))
        position = body + size


def _far_range_message(rows: int, columns: int) -> str:
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
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-I",
                str(WORKBOOK_CHILD),
                str(settings.ROSTER_IMPORT_READER_MEMORY_BYTES),
                *(str(n) for n in _child_budget()),
            ],
            input=data,
            capture_output=True,
            timeout=settings.ROSTER_IMPORT_READER_SECONDS,
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
    if result["error"] == "too_big":
        logger.warning("workbook %r holds more than a roster can", filename)
        raise RosterFileError(
            _(
                "表格内容超过上限：名单最多 %(rows)d 行学生数据。请检查是否有大量多余的行、列或"
                "内容，把名单复制到新的工作簿，另存为 .xlsx 后重新上传。"
            )
            % {"rows": settings.ROSTER_IMPORT_MAX_ROWS}
        )
    if result["error"]:
        logger.warning("unreadable %s upload %r", kind, filename)
        raise RosterFileError(_broken_message(kind))
    return result["sheets"]


# Columns a roster row may fill and characters a cell holds on average, far above any
# real roster's: with the row limit they bound what the reader sends back.
_MAX_FILLED_COLUMNS = 40
_MAX_AVERAGE_CHARS = 32


def _child_budget() -> tuple[int, int, int]:
    """Return the rows, cells and characters with content the reader may send back
    (blank rows and the header rows above the roster are allowed for)."""
    rows = settings.ROSTER_IMPORT_MAX_ROWS + 1000
    cells = rows * _MAX_FILLED_COLUMNS
    return rows, cells, cells * _MAX_AVERAGE_CHARS


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
    return _(
        "文件已损坏或不是有效的 .xlsx 工作簿，无法读取。"
        "请用 Excel 或 WPS 打开它，“另存为” .xlsx（Excel 工作簿）后再上传；"
        "打不开的话，请向提供名单的部门重新要一份。"
    )


def _workbook_read(
    data: bytes, filename: str, kind: str, error_cells: int = 0, layout: Layout | None = None
) -> Table:
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
        header = header_find(enumerate(sheet_rows, start=1), layout)
        if header is None:
            continue
        if header.complete:
            found = (header, name, visible, sheet_rows)
            break
        partial = partial or header
    if found is None:
        if partial is not None:
            columns_check(partial.cells, partial.columns, layout)
        if failures:
            raise RosterFileError(_broken_message(kind))
        raise RosterFileError(missing_header_message(layout))
    header, name, visible, sheet_rows = found
    columns_check(header.cells, header.columns, layout)
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
        return limited(enumerate(data_rows, start=header_row + 1))

    return Table(
        filename=filename,
        kind=kind,
        headers=[cell_text(h)[0] for h in header.cells],
        header_row=header_row,
        columns=header.columns,
        open_rows=rows,
        # Trailing blank rows may make it an overestimate; it drives the progress bar.
        total_rows=len(data_rows),
        notes=notes,
    )


def _decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name shown to the user) of a CSV file."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            # An odd number of bytes, or half of a character outside the BMP.
            raise RosterFileError(
                _(
                    "UTF-16 编码的 CSV 文件不完整或已损坏，无法读取。"
                    "请用 Excel 打开后“另存为” .xlsx 或 UTF-8 CSV 再上传。"
                )
            ) from None
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


def _csv_read(data: bytes, filename: str, layout: Layout | None = None) -> Table:
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
        header = header_find(enumerate(iterator, start=1), layout)
    except csv.Error:
        raise RosterFileError(
            _("CSV 文件格式有误，无法读取。请用 Excel 打开后“另存为” .xlsx 再上传。")
        ) from None
    if header is None:
        raise RosterFileError(missing_header_message(layout))
    columns_check(header.cells, header.columns, layout)
    header_row = header.row
    total = max(text.count("\n") - header_row + 1, 0)
    if total > settings.ROSTER_IMPORT_MAX_ROWS * 2:
        # Far past the limit even allowing for blank lines: no need to read it.
        raise RosterFileError(
            _("文件有 %(rows)d 行，超过 %(limit)d 行的上限。")
            % {"rows": total, "limit": settings.ROSTER_IMPORT_MAX_ROWS}
        )

    def rows():
        reached = [header_row]

        def numbered():
            for number, cells in enumerate(reader(), start=1):
                reached[0] = number
                if number > header_row:
                    yield number, cells

        try:
            yield from limited(numbered())
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
