"""The deployment files, checked without a container engine: ``Dockerfile``, ``deploy/compose.yaml``,
``deploy/kubernetes/`` and ``.env.example``.

Rule (settings are one list): every environment variable the deployment files set is a setting
of the code, every setting of the code is in ``.env.example`` and in docs/configuration.md, and
every name in ``.env.example`` is a setting (or marked compose-only or test-only).
Rule (the names the code serves): the image's command, health checks and probes use commands and
paths ``mentorbot`` has. Rule (replicas need PostgreSQL): the Kubernetes Deployment runs several
replicas on PostgreSQL only, and a second ``serve`` on one SQLite file refuses to start.
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from sqlalchemy.engine import make_url

from adapters import registry
from mentorbot.cli import _parser
from mentorbot.server import build_app
from calendars.settings import CalendarSettings
from mentorbot.settings import Settings
from storage.db import Database
from tests.kit.serving import MENTORBOT, free_port, mentorbot_serve

ROOT = Path(__file__).parents[1]
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
KUBERNETES_VERSION = kubernetes_validate.latest_version()
COMPOSE_ONLY = {"POSTGRES_PASSWORD"}
TEST_ONLY = {"TEST_POSTGRES_URL", "MENTORBOT_REQUIRE_POSTGRES", "LOCKED"}
MENTORBOT_SERVICES = ("migrate", "mentorbot")
NAME_IN_EXAMPLE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]+)=", re.MULTILINE)


def settings_of_the_code() -> set[str]:
    """Every environment variable the settings models read."""
    names = {name.upper() for name in Settings.model_fields} | {name.upper() for name in CalendarSettings.model_fields}
    for platform in registry.PLATFORMS:
        names |= {name.upper() for name in platform.settings.model_fields}
    return names


def unknown_settings(names: Iterable[str]) -> list[str]:
    """The names among ``names`` that no settings model reads."""
    known = settings_of_the_code()
    return sorted(name for name in names if name not in known)


def served_paths() -> set[str]:
    """The paths ``mentorbot serve`` answers (without a platform configured, with /metrics)."""
    app = build_app(Database("sqlite+aiosqlite:///:memory:"), metrics_token="t")
    return {resource.canonical for resource in app.router.resources()}


def _compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def _manifests() -> list[dict[str, Any]]:
    found = []
    for path in sorted(KUBERNETES.glob("*.yaml")):
        if path.name != "kustomization.yaml":
            found += [document for document in yaml.safe_load_all(path.read_text()) if document]
    return found


def _kind(kind: str) -> list[dict[str, Any]]:
    return [manifest for manifest in _manifests() if manifest["kind"] == kind]


def _serve_command(command: list[str]) -> tuple[str, Any]:
    """The subcommand and its parsed arguments, as ``mentorbot`` reads them."""
    assert command[0] == "mentorbot", command
    return command[1], _parser().parse_args(command[1:])


# --- .env.example ---------------------------------------------------------------------------


def test_every_setting_of_the_code_is_in_env_example_and_the_docs() -> None:
    example = set(NAME_IN_EXAMPLE.findall((ROOT / ".env.example").read_text()))
    documented = (ROOT / "docs" / "configuration.md").read_text()
    missing_example = sorted(settings_of_the_code() - example)
    missing_docs = sorted(name for name in settings_of_the_code() if f"`{name}`" not in documented)
    assert not missing_example, f"add to .env.example: {missing_example}"
    assert not missing_docs, f"add to docs/configuration.md: {missing_docs}"


def test_every_name_in_env_example_is_a_setting() -> None:
    example = set(NAME_IN_EXAMPLE.findall((ROOT / ".env.example").read_text()))
    assert unknown_settings(example - COMPOSE_ONLY - TEST_ONLY) == []


def test_an_unknown_setting_is_caught() -> None:
    assert unknown_settings(["DATABASE_URL", "SLACK_BOT_TOKN", "LOG_FORMAT"]) == ["SLACK_BOT_TOKN"]


# --- compose ----------------------------------------------------------------------------------


def test_compose_sets_only_settings_the_code_reads_and_postgresql_for_the_database() -> None:
    services = _compose()["services"]
    for name in MENTORBOT_SERVICES:
        environment = services[name]["environment"]
        assert unknown_settings(environment) == [], name
        assert make_url(environment["DATABASE_URL"].replace("${POSTGRES_PASSWORD}", "x")).get_backend_name() \
            == "postgresql"
    variables = set(re.findall(r"\$\{([A-Z_]+)", (DEPLOY / "compose.yaml").read_text()))
    assert unknown_settings(variables - COMPOSE_ONLY) == []


def test_compose_migrates_once_before_the_bot_starts_and_checks_its_health() -> None:
    services = _compose()["services"]
    assert _serve_command(services["migrate"]["command"])[0] == "migrate"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    bot = services["mentorbot"]
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    subcommand, args = _serve_command(bot["command"])
    assert subcommand == "serve" and f"{args.port}:{args.port}" in bot["ports"]
    assert _probed_path(bot["healthcheck"]["test"], args.port) in served_paths()
    assert services["postgres"]["healthcheck"] and "postgres-data" in _compose()["volumes"]
    assert any(volume.endswith(":/data") for volume in bot["volumes"])
    assert bot["environment"]["SPOOL_FILE"].startswith("/data/")


def _probed_path(test: list[str], port: int) -> str:
    found = re.search(rf"http://127\.0\.0\.1:{port}(/[a-z]+)", " ".join(test))
    assert found, test
    return found[1]


# --- the image ----------------------------------------------------------------------------------


def test_the_image_runs_a_command_mentorbot_has_and_checks_a_path_it_serves() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    command = re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert command is not None
    subcommand, args = _serve_command(yaml.safe_load(command[1]))
    assert subcommand == "serve" and args.host == "0.0.0.0"
    assert f"EXPOSE {args.port}" in dockerfile
    health = re.search(r"^HEALTHCHECK .*\n\s+CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert health is not None
    assert _probed_path(yaml.safe_load(health[1]), args.port) in served_paths()
    mentorbots = [name for name in re.findall(r"^ENV ([A-Z_]+)=", dockerfile, re.MULTILINE)
                  if not name.startswith(("PYTHON", "PIP_"))]
    assert mentorbots and unknown_settings(mentorbots) == []


# --- Kubernetes ------------------------------------------------------------------------------


@pytest.mark.parametrize("manifest", _manifests(), ids=lambda m: f"{m['kind']}/{m['metadata']['name']}")
def test_each_kubernetes_manifest_validates_against_the_kubernetes_schemas(manifest: dict[str, Any]) -> None:
    kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)


def test_the_kustomization_lists_every_manifest() -> None:
    listed = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())["resources"]
    assert sorted(listed) == sorted(p.name for p in KUBERNETES.glob("*.yaml") if p.name != "kustomization.yaml")


def test_the_settings_come_from_a_configmap_and_a_secret_with_only_known_names() -> None:
    [config] = _kind("ConfigMap")
    [secret] = _kind("Secret")
    assert unknown_settings(config["data"]) == [] and unknown_settings(secret["stringData"]) == []
    secrets = {"DATABASE_URL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "METRICS_TOKEN"}
    assert secrets <= set(secret["stringData"]) and not secrets & set(config["data"])
    for workload in (*_kind("Deployment"), *_kind("Job")):
        [container] = workload["spec"]["template"]["spec"]["containers"]
        sources = {(source.get("configMapRef") or source.get("secretRef"))["name"] for source in container["envFrom"]}
        assert sources == {config["metadata"]["name"], secret["metadata"]["name"]}
        assert unknown_settings(env["name"] for env in container.get("env", [])) == []


def test_several_replicas_run_on_postgresql_with_readiness_liveness_and_resources() -> None:
    [deployment] = _kind("Deployment")
    [secret] = _kind("Secret")
    assert deployment["spec"]["replicas"] >= 2
    assert make_url(secret["stringData"]["DATABASE_URL"]).get_backend_name() == "postgresql"
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    subcommand, args = _serve_command(container["command"])
    assert subcommand == "serve" and args.host == "0.0.0.0"
    assert container["ports"][0]["containerPort"] == args.port
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert {"/readyz", "/healthz"} <= served_paths()
    assert container["resources"]["requests"]["memory"] and container["resources"]["limits"]["memory"]
    [service] = _kind("Service")
    [budget] = _kind("PodDisruptionBudget")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()
    [job] = _kind("Job")
    assert _serve_command(job["spec"]["template"]["spec"]["containers"][0]["command"])[0] == "migrate"


# --- one server per SQLite file -----------------------------------------------------------------


@pytest.mark.slow
async def test_a_second_serve_on_the_same_sqlite_file_refuses_to_start(tmp_path: Path) -> None:
    async with mentorbot_serve(tmp_path) as first:
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "DATABASE_"))}
        second = await asyncio.create_subprocess_exec(
            *MENTORBOT, "serve", "--port", str(free_port()), cwd=tmp_path, env=environment,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        _, errors = await asyncio.wait_for(second.communicate(), 60)
        assert second.returncode == 1
        assert "SQLite is for one process only" in errors.decode(), shlex.quote(errors.decode())
        assert await first.stop() == 0


def test_a_misspelt_field_in_a_manifest_is_refused_by_the_schemas() -> None:
    [deployment] = _kind("Deployment")
    broken = {**deployment, "spec": {**deployment["spec"], "replica": 3}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_the_kustomization_builds_with_kubectl_and_every_resource_validates() -> None:
    built = subprocess.run(["kubectl", "kustomize", str(KUBERNETES)], capture_output=True, text=True, timeout=60)
    assert built.returncode == 0, built.stderr
    resources = [document for document in yaml.safe_load_all(built.stdout) if document]
    assert sorted(r["kind"] for r in resources) == sorted(m["kind"] for m in _manifests())
    for resource in resources:
        assert resource["metadata"]["labels"]["app.kubernetes.io/name"] == "mentorbot"
        kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)
