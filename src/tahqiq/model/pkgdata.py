"""Read data files shipped inside installed packages, without importing those packages.

Importing some of them pulls in heavy optional dependencies (pakgender imports pandas and
scikit-learn), so we locate the package directory with importlib's finder instead.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path


class MissingPackageData(RuntimeError):
    pass


def package_file(package: str, relpath: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise MissingPackageData(
            f"the package {package!r} is not installed; `pip install tahqiq` installs it "
            f"(Tahqiq reads its data file {relpath})"
        )
    for base in spec.submodule_search_locations:
        path = Path(base) / relpath
        if path.is_file():
            return path
    raise MissingPackageData(f"package {package!r} has no data file {relpath}")


def read_text(package: str, relpath: str) -> str:
    return package_file(package, relpath).read_text("utf-8")
