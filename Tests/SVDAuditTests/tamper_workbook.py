#!/usr/bin/env python3
"""Makes damaged or edited copies of an svd workbook for WorkbookAuditTests: the outsider's edits svd audit must see.

    tamper_workbook.py bump IN OUT PART CELL DELTA          add DELTA to a numeric cell (e.g. sheet:district_summary D4)
    tamper_workbook.py replace IN OUT PART REGEX REPL       re.sub in one part (fails if nothing matched)

PART is a part's path in the archive (xl/sharedStrings.xml) or sheet:NAME for the part of the sheet named NAME.
    tamper_workbook.py drop IN OUT PART                     the archive without PART
    tamper_workbook.py zip OUT NAME TEXT                    a zip archive holding one file
    tamper_workbook.py openpyxl-set IN OUT SHEET CELL VALUE set a cell with openpyxl (a number if VALUE is one)
    tamper_workbook.py openpyxl-rename IN OUT OLD NEW       rename a sheet with openpyxl

All but the openpyxl commands use the standard library only, and leave every other part byte for byte.
Exit codes: 0 done; 3 nothing matched; 4 openpyxl missing.
"""
import re, sys, zipfile


def resolve_part(src, spec):
    """sheet:NAME -> that sheet's part, through xl/workbook.xml and its relationships; a path is itself."""
    if not spec.startswith("sheet:"):
        return spec
    name = spec[len("sheet:"):]
    with zipfile.ZipFile(src) as z:
        workbook = z.read("xl/workbook.xml").decode("utf-8")
        rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    for m in re.finditer(r"<sheet\b([^>]*)/>", workbook):
        attrs = dict(re.findall(r'([\w:]+)="([^"]*)"', m.group(1)))
        if attrs.get("name") == name:
            rid = attrs["r:id"]
            for r in re.finditer(r"<Relationship\b([^>]*)/>", rels):
                ra = dict(re.findall(r'([\w:]+)="([^"]*)"', r.group(1)))
                if ra.get("Id") == rid:
                    target = ra["Target"]
                    return target.lstrip("/") if target.startswith("/") else "xl/" + target
    sys.exit(f"no sheet {name}")


def rewrite(src, dst, edit):
    """Copies the archive, passing each part's bytes through edit(name, data) -> data or None (drop)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = edit(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info, data)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "bump":
        src, dst, part, cell, delta = args
        part = resolve_part(src, part)
        done = []

        def edit(name, data):
            if name != part:
                return data
            text = data.decode("utf-8")
            pattern = re.compile(r'(<c r="%s"(?: [^>]*)?><v>)(-?[0-9.]+)(</v>)' % re.escape(cell))
            m = pattern.search(text)
            if m:
                value = float(m.group(2)) + float(delta)
                shown = str(int(value)) if value == int(value) else repr(value)
                text = text[:m.start(2)] + shown + text[m.end(2):]
                done.append((m.group(2), shown))
            return text.encode("utf-8")

        rewrite(src, dst, edit)
        if not done:
            sys.exit(3)
        print(f"{done[0][0]} -> {done[0][1]}")
    elif cmd == "replace":
        src, dst, part, regex, repl = args
        part = resolve_part(src, part)
        count = [0]

        def edit(name, data):
            if name != part:
                return data
            text, n = re.subn(regex, repl, data.decode("utf-8"), flags=re.S)
            count[0] += n
            return text.encode("utf-8")

        rewrite(src, dst, edit)
        if count[0] == 0:
            sys.exit(3)
    elif cmd == "drop":
        src, dst, part = args
        rewrite(src, dst, lambda name, data: None if name == part else data)
    elif cmd == "zip":
        dst, name, text = args
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(name, text)
    elif cmd in ("openpyxl-set", "openpyxl-rename"):
        try:
            import openpyxl
        except ImportError:
            sys.exit(4)
        src, dst = args[0], args[1]
        wb = openpyxl.load_workbook(src)
        if cmd == "openpyxl-set":
            sheet, cell, value = args[2:]
            try:
                value = int(value)
            except ValueError:
                try:
                    value = float(value)
                except ValueError:
                    pass
            wb[sheet][cell].value = value
        else:
            old, new = args[2:]
            wb[old].title = new
        wb.save(dst)
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
