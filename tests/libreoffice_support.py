"""LibreOffice Calc as an independent spreadsheet engine for the workbook tests.

A private profile forces recalculation on load (LibreOffice otherwise trusts an .xlsx's cached values,
which are the engine's own). Under CI=true a missing LibreOffice fails the tests; elsewhere they skip.
A test module writes all its workbooks first and converts them in one LibreOffice run (`converted_once`).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Callable

import pytest

RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""
TIMEOUT_S = 120  # one LibreOffice start …
TIMEOUT_PER_FILE_S = 20  # … and each file it converts


def soffice_path() -> str | None:
    return os.environ.get("SOFFICE_PATH") or shutil.which("soffice") or shutil.which("libreoffice")


class LibreOffice:
    """Converts files with one private profile (so runs do not share state with a user's LibreOffice)."""

    def __init__(self, binary: str, root: Path):
        self.binary, self.root = binary, root
        (root / "profile" / "user").mkdir(parents=True)
        (root / "profile" / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS)

    def convert_all(self, paths: list[Path], to: str = "xlsx") -> dict[Path, Path]:
        """Open every file of `paths` in one LibreOffice run (a start costs seconds, a file a fraction of one),
        recalculate every formula, save each as `to` in a fresh folder; returns each path's new file. The files'
        names must differ (they land in one folder)."""
        stems = [path.stem for path in paths]
        if len(set(stems)) != len(stems):
            raise ValueError(f"files to convert share a name: {sorted(s for s in stems if stems.count(s) > 1)}")
        out = Path(self.root / f"out-{len(list(self.root.iterdir()))}")
        out.mkdir()
        subprocess.run(
            [
                self.binary,
                f"-env:UserInstallation={(self.root / 'profile').as_uri()}",
                "--headless",
                "--calc",
                "--convert-to",
                to,
                "--outdir",
                str(out),
                *map(str, paths),
            ],
            check=True,
            capture_output=True,
            timeout=TIMEOUT_S + TIMEOUT_PER_FILE_S * len(paths),
        )
        results = {path: out / f"{path.stem}.{to.split(':')[0]}" for path in paths}
        missing = [result.name for result in results.values() if not result.exists()]
        if missing:
            raise RuntimeError(f"LibreOffice wrote no {', '.join(missing)}")
        return results

    def convert(self, path: Path, to: str = "xlsx") -> Path:
        """One file, as `convert_all`."""
        return self.convert_all([path], to)[path]


def converted_once(
    libreoffice: LibreOffice, tmp_path_factory, name: str, write: Callable[[Path], dict[str, Path]]
) -> dict[str, Path]:
    """`write(folder)` writes a test module's workbooks (case → file) and one LibreOffice run converts them all;
    returns case → recalculated file. Once per test run: under pytest-xdist the workers share one folder, and
    the first to ask converts while the others wait for its result."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    folder = (tmp_path_factory.getbasetemp().parent if worker else tmp_path_factory.getbasetemp()) / name
    folder.mkdir(exist_ok=True)
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        done = folder / "converted.json"
        if not done.exists():
            written = folder / "written"
            written.mkdir(exist_ok=True)
            paths = write(written)
            converted = libreoffice.convert_all(list(paths.values()))
            done.write_text(json.dumps({case: str(converted[path]) for case, path in paths.items()}))
        return {case: Path(path) for case, path in json.loads(done.read_text()).items()}


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory) -> LibreOffice:
    binary = soffice_path()
    if binary is None:
        reason = "LibreOffice (soffice) not found: `make libreoffice` installs it, or set SOFFICE_PATH"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return LibreOffice(binary, tmp_path_factory.mktemp("libreoffice"))
