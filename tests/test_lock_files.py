"""The lock files hold the versions the tests passed with: CI (``LOCKED=1``) and the Docker image
install from them, and they agree with ``pyproject.toml`` (``make lock`` rewrites them)."""

from __future__ import annotations

import os
import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", re.MULTILINE)


def _pins(name: str) -> dict[str, str]:
    return {canonicalize_name(found[1]): found[2] for found in PIN.finditer((ROOT / "requirements" / name).read_text())}


def _requirements(*extras: str) -> list[Requirement]:
    listed = [*PROJECT["dependencies"], *(need for extra in extras for need in PROJECT["optional-dependencies"][extra])]
    return [Requirement(need) for need in listed]


@pytest.mark.parametrize(("lock", "extras"), [("test.lock", ("test",)), ("runtime.lock", ())])
def test_every_dependency_of_pyproject_is_pinned_within_its_range(lock: str, extras: tuple[str, ...]) -> None:
    pins = _pins(lock)
    unpinned = [str(need) for need in _requirements(*extras) if canonicalize_name(need.name) not in pins]
    outside = [f"{need} (locked {pins[canonicalize_name(need.name)]})" for need in _requirements(*extras)
               if canonicalize_name(need.name) in pins
               and not need.specifier.contains(pins[canonicalize_name(need.name)], prereleases=True)]
    assert not unpinned and not outside, f"run make lock: unpinned {unpinned}, outside the range {outside}"


def test_the_image_has_the_versions_the_tests_ran_with() -> None:
    runtime, test = _pins("runtime.lock"), _pins("test.lock")
    assert {name: version for name, version in runtime.items() if test.get(name) != version} == {}
    assert "pytest" not in runtime and "ruff" not in runtime


def test_the_dockerfile_installs_from_the_runtime_lock_without_resolving_again() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install -r /tmp/runtime.lock" in dockerfile
    assert "COPY requirements/runtime.lock" in dockerfile
    assert "pip install --no-deps /tmp/src" in dockerfile


@pytest.mark.skipif(os.environ.get("LOCKED") != "1", reason="installed from pyproject.toml (LOCKED=1 in CI)")
def test_with_locked_the_installed_versions_are_the_locked_ones() -> None:
    installed = {canonicalize_name(dist.metadata["Name"]): dist.version for dist in metadata.distributions()}
    differ = {name: (version, installed.get(name)) for name, version in _pins("test.lock").items()
              if installed.get(name) != version}
    assert differ == {}
