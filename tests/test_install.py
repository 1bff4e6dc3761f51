"""A clean clone installs exactly what was tested: the lock covers pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCK = (ROOT / "requirements.lock").read_text(encoding="utf-8")
# "name==version \" or "name==version ; marker \", then its hash lines.
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def _pins() -> dict[str, set[Version]]:
    pins: dict[str, set[Version]] = {}
    for name, version in PIN.findall(LOCK):
        pins.setdefault(canonicalize_name(name), set()).add(Version(version))
    return pins


def _requirements() -> list[str]:
    project = PYPROJECT["project"]
    return [*project["dependencies"], *project["optional-dependencies"]["test"]]


@pytest.mark.parametrize("requirement", _requirements())
def test_every_dependency_is_pinned_within_its_range(requirement: str) -> None:
    wanted = Requirement(requirement)
    pinned = _pins().get(canonicalize_name(wanted.name), set())
    assert pinned, f"{wanted.name} is not in requirements.lock: run `make lock`"
    assert any(wanted.specifier.contains(v, prereleases=True) for v in pinned), (
        f"requirements.lock pins {wanted.name} {sorted(map(str, pinned))}, outside "
        f"{wanted.specifier}: run `make lock`"
    )


def test_every_pin_carries_hashes() -> None:
    blocks = re.split(r"\n(?=[A-Za-z0-9])", LOCK.split("\n", 2)[2])
    unhashed = [b.split()[0] for b in blocks if "==" in b and "--hash=sha256:" not in b]
    assert unhashed == []


def test_setup_installs_the_lock_and_nothing_else() -> None:
    setup = (ROOT / "scripts" / "setup").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements.lock" in setup
    assert "--no-deps -e ." in setup
