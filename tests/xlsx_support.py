"""Real .xlsx workbooks for tests, with the formula values Excel would have saved.

openpyxl writes formulas without a saved ("cached") value, because it does not
calculate them; Excel and LibreOffice save the value beside each formula, and
that value is what a reader sees. `add_cached_values` puts such values into a
workbook saved by openpyxl, exactly where Excel puts them
(``<c r="D5" t="str"><f>...</f><v>value</v></c>``), so tests read the file a
person would have saved. Cells left out keep no value, as openpyxl wrote them.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> worksheet part, from xl/workbook.xml and its relationships."""
    workbook = archive.read("xl/workbook.xml").decode()
    rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    targets = dict(re.findall(r'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
    targets.update({rid: t for t, rid in re.findall(r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
    out = {}
    for name, rid in re.findall(r'<sheet [^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"', workbook):
        target = targets[rid].lstrip("/")
        out[name] = target if target.startswith("xl/") else f"xl/{target}"
    return out


def _cached(xml: str, coordinate: str, value: Any) -> str:
    pattern = re.compile(
        rf'<c r="{coordinate}"(?P<attrs>[^>]*?)(?: t="\w+")?(?P<attrs2>[^>]*)>(?P<f><f>.*?</f>)<v\s*/>(?:</v>)?</c>'
    )
    if isinstance(value, bool):
        kind, text = "b", "1" if value else "0"
    elif isinstance(value, (int, float)):
        kind, text = None, repr(value)
    elif isinstance(value, str) and value.startswith("#"):
        kind, text = "e", value
    else:
        kind, text = "str", escape(str(value))
    t = f' t="{kind}"' if kind else ""
    new, n = pattern.subn(lambda m: f'<c r="{coordinate}"{m["attrs"]}{m["attrs2"]}{t}>{m["f"]}<v>{text}</v></c>', xml)
    if n != 1:
        raise AssertionError(f"no formula cell {coordinate} without a value in the sheet")
    return new


def add_cached_values(path: Path, values: dict[str, dict[str, Any]]) -> None:
    """Save formula results into a workbook: ``{sheet name: {"D5": value}}`` (a str starting with # is an error value)."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
        infos = archive.infolist()
        sheets = _sheet_paths(archive)
    for sheet, cells in values.items():
        xml = parts[sheets[sheet]].decode()
        for coordinate, value in cells.items():
            xml = _cached(xml, coordinate, value)
        parts[sheets[sheet]] = xml.encode()
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for info in infos:
            out.writestr(info, parts[info.filename])
    tmp.replace(path)


_INLINE = re.compile(
    r'<c r="(?P<r>[A-Z]+\d+)"(?P<attrs>[^>]*?) t="inlineStr"(?P<attrs2>[^>]*)><is><t>(?P<t>.*?)</t></is></c>', re.S
)
_SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def use_shared_strings(path: Path) -> None:
    """Move every text cell into xl/sharedStrings.xml, where Excel keeps them (openpyxl writes inline strings).

    The text is moved as written, so escapes such as ``_x000D_`` and ``_x005F_`` reach the shared strings as
    Excel writes them.
    """
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
        sheets = _sheet_paths(archive)
    strings: list[str] = []

    def shared(m: re.Match[str]) -> str:
        strings.append(m["t"])
        return f'<c r="{m["r"]}"{m["attrs"]}{m["attrs2"]} t="s"><v>{len(strings) - 1}</v></c>'

    for part in sheets.values():
        parts[part] = _INLINE.sub(shared, parts[part].decode()).encode()
    items = "".join(f'<si><t xml:space="preserve">{s}</t></si>' for s in strings)
    parts["xl/sharedStrings.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    ).encode()
    types = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = types.replace(
        "</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SST_TYPE}"/></Types>'
    ).encode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>", f'<Relationship Id="rIdSST" Type="{_SST_REL}" Target="sharedStrings.xml"/></Relationships>'
    ).encode()
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    tmp.replace(path)
