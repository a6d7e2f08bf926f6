"""LibreOffice Calc as an independent spreadsheet engine for the workbook tests.

A private profile forces recalculation on load (LibreOffice otherwise trusts an .xlsx's cached values,
which are the engine's own). Under CI=true a missing LibreOffice fails the tests; elsewhere they skip.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""
TIMEOUT_S = 120


def soffice_path() -> str | None:
    return os.environ.get("SOFFICE_PATH") or shutil.which("soffice") or shutil.which("libreoffice")


class LibreOffice:
    """Converts files with one private profile (so runs do not share state with a user's LibreOffice)."""

    def __init__(self, binary: str, root: Path):
        self.binary, self.root = binary, root
        (root / "profile" / "user").mkdir(parents=True)
        (root / "profile" / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS)

    def convert(self, path: Path, to: str = "xlsx") -> Path:
        """Open `path`, recalculate every formula, save as `to` in a fresh folder; returns the new file."""
        out = Path(self.root / f"out-{path.stem}-{len(list(self.root.iterdir()))}")
        out.mkdir()
        subprocess.run([self.binary, f"-env:UserInstallation={(self.root / 'profile').as_uri()}", "--headless",
                        "--calc", "--convert-to", to, "--outdir", str(out), str(path)],
                       check=True, capture_output=True, timeout=TIMEOUT_S)
        result = out / f"{path.stem}.{to.split(':')[0]}"
        if not result.exists():
            raise RuntimeError(f"LibreOffice wrote no {result.name}")
        return result


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory) -> LibreOffice:
    binary = soffice_path()
    if binary is None:
        reason = "LibreOffice (soffice) not found: `make libreoffice` installs it, or set SOFFICE_PATH"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return LibreOffice(binary, tmp_path_factory.mktemp("libreoffice"))
