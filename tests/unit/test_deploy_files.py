"""Deployment files stay consistent with the code: Docker cannot run here, so they are parsed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from piimask.ops.health import HEALTHZ_PATH, READYZ_PATH
from piimask.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOCKERFILE = DEPLOY / "docker" / "Dockerfile"
COMPOSE = DEPLOY / "compose.yaml"
K8S = DEPLOY / "k8s"
DEFAULT_PORT = Settings.model_fields["metrics_port"].default
OPS_FILES = [DOCKERFILE, COMPOSE, *sorted(K8S.glob("*.yaml"))]


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        word, _, rest = line.partition(" ")
        out.append((word.upper(), rest.strip()))
    assert not pending, "Dockerfile ends inside a continuation line"
    return out


def k8s_docs() -> dict[str, dict[str, Any]]:
    docs: dict[str, dict[str, Any]] = {}
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and "kind" in doc and doc["kind"] != "Kustomization":
                docs[f"{doc['kind']}/{doc['metadata']['name']}"] = doc
    return docs


def worker_container() -> dict[str, Any]:
    deployment = k8s_docs()["Deployment/piimask-worker"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return dict(container)


def settings_configmap() -> dict[str, str]:
    return dict(k8s_docs()["ConfigMap/piimask-settings"]["data"])


@pytest.mark.parametrize(
    "path",
    sorted(p for p in DEPLOY.rglob("*.y*ml") if ".cache" not in p.parts and "run" not in p.parts),
    ids=lambda p: str(p.relative_to(DEPLOY)),
)
def test_every_yaml_file_parses(path: Path) -> None:
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
    assert docs


def test_dockerfile_is_multi_stage_non_root_and_runs_the_worker() -> None:
    instr = dockerfile_instructions(DOCKERFILE)
    assert sum(1 for word, _ in instr if word == "FROM") >= 2
    (entrypoint,) = [json.loads(args) for word, args in instr if word == "ENTRYPOINT"]
    assert entrypoint == ["piimask", "worker"]
    users = [args for word, args in instr if word == "USER"]
    assert users
    assert users[-1].split(":")[0] not in ("root", "0")


def test_dockerfile_healthcheck_probes_healthz_on_the_configured_port() -> None:
    instr = dockerfile_instructions(DOCKERFILE)
    (health,) = [args for word, args in instr if word == "HEALTHCHECK"]
    cmd = json.loads(health[health.index("CMD") + 3 :].strip())
    assert cmd == ["python", "-m", "piimask.ops.probe", "healthz"]
    env = " ".join(args for word, args in instr if word == "ENV")
    assert f"PIIMASK_METRICS_PORT={DEFAULT_PORT}" in env
    assert [args for word, args in instr if word == "EXPOSE"] == [str(DEFAULT_PORT)]


def test_dockerfile_copies_only_files_that_exist_and_are_not_docker_ignored() -> None:
    ignore = (DOCKERFILE.parent / "Dockerfile.dockerignore").read_text().split()
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    for word, args in dockerfile_instructions(DOCKERFILE):
        if word != "COPY" or args.startswith("--from"):
            continue
        *sources, _dest = args.split()
        for src in sources:
            src = src.rstrip("/.") or "."
            if src == ".":
                continue
            assert (ROOT / src).exists(), src
            assert src in allowed, f"{src} is excluded by Dockerfile.dockerignore"


def test_k8s_probes_use_the_real_paths_and_port() -> None:
    container = worker_container()
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports["http"] == DEFAULT_PORT
    assert settings_configmap()["PIIMASK_METRICS_PORT"] == str(ports["http"])
    assert container["livenessProbe"]["httpGet"] == {"path": HEALTHZ_PATH, "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": READYZ_PATH, "port": "http"}
    assert container["startupProbe"]["httpGet"]["path"] == HEALTHZ_PATH


def test_k8s_worker_has_resources_and_runs_as_non_root() -> None:
    container = worker_container()
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(container["resources"][kind])
    pod = k8s_docs()["Deployment/piimask-worker"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True


def test_k8s_mounts_match_the_policy_and_key_file_settings() -> None:
    container = worker_container()
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    config = settings_configmap()
    policy_cm = k8s_docs()["ConfigMap/piimask-policy"]
    (policy_key,) = policy_cm["data"]
    assert config["PIIMASK_POLICY_FILE"] == f"{mounts['policy']}/{policy_key}"
    assert config["PIIMASK_KEY_FILE"] == f"{mounts['keys']}/keys.json"
    assert "keys.json" in k8s_docs()["Secret/piimask-keys"]["stringData"]


def test_k8s_policy_configmap_holds_a_valid_policy(tmp_path: Path) -> None:
    load_policy = pytest.importorskip("piimask.mask").load_policy
    text = k8s_docs()["ConfigMap/piimask-policy"]["data"]["policy.yaml"]
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(text)
    assert load_policy(policy_file).version


def test_keda_scales_the_worker_on_its_own_group_and_topic() -> None:
    scaled = k8s_docs()["ScaledObject/piimask-worker"]["spec"]
    assert scaled["scaleTargetRef"]["name"] == "piimask-worker"
    (trigger,) = scaled["triggers"]
    config = settings_configmap()
    assert trigger["type"] == "kafka"
    assert trigger["metadata"]["consumerGroup"] == config["PIIMASK_GROUP_ID"]
    assert trigger["metadata"]["topic"] in config["PIIMASK_INPUT_TOPICS"].split(",")
    assert trigger["metadata"]["bootstrapServers"] == config["PIIMASK_KAFKA_BOOTSTRAP"]


def test_pdb_and_service_select_the_worker_pods() -> None:
    docs = k8s_docs()
    labels = docs["Deployment/piimask-worker"]["spec"]["template"]["metadata"]["labels"]
    pdb_selector = docs["PodDisruptionBudget/piimask-worker"]["spec"]["selector"]["matchLabels"]
    assert pdb_selector.items() <= labels.items()
    assert docs["Service/piimask-worker"]["spec"]["selector"].items() <= labels.items()


def test_kustomization_lists_existing_files_but_not_the_secret_template() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    for resource in kustomization["resources"]:
        assert (K8S / resource).is_file(), resource
    assert "secret-keys.yaml" not in kustomization["resources"]


def test_compose_runs_two_workers_whose_metrics_port_matches_the_setting() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())
    workers = {n: s for n, s in compose["services"].items() if n.startswith("worker")}
    assert len(workers) == 2
    assert compose["services"]["kafka"]["image"].startswith("apache/kafka:")
    assert "KAFKA_PROCESS_ROLES" in compose["services"]["kafka"]["environment"]
    for service in workers.values():
        env = service["environment"]
        container_ports = {int(p.split(":")[-1]) for p in service["ports"]}
        assert container_ports == {int(env["PIIMASK_METRICS_PORT"])}
        assert service["build"]["dockerfile"] == "deploy/docker/Dockerfile"


@pytest.mark.parametrize("path", OPS_FILES, ids=lambda p: str(p.relative_to(DEPLOY)))
def test_every_piimask_env_var_in_deploy_files_is_a_setting(path: Path) -> None:
    names = set(re.findall(r"\bPIIMASK_[A-Z0-9_]+\b", path.read_text()))
    fields = {f"PIIMASK_{name.upper()}" for name in Settings.model_fields}
    assert names - fields == set()
