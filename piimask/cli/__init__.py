"""The ``piimask`` command line.

Sub-commands live in their own modules and are imported only when invoked, so
``piimask --help`` stays fast and a command's heavy imports (onnxruntime,
faust) are paid only by the command that needs them.
"""

from __future__ import annotations

import importlib

import click

from piimask import __version__

# name -> "module:attribute" of a click command or group
COMMANDS: dict[str, str] = {
    "detect": "piimask.cli.detect_cmd:detect",
    "eval": "piimask.cli.eval_cmd:eval_command",
    "calibrate": "piimask.cli.calibrate_cmd:calibrate",
    "mask": "piimask.cli.mask_cmd:mask",
    "unmask": "piimask.cli.mask_cmd:unmask",
    "policy": "piimask.cli.policy_cmd:policy",
    "worker": "piimask.cli.worker_cmd:worker",
    "dlq": "piimask.cli.dlq_cmd:dlq",
    "audit": "piimask.cli.audit_cmd:audit",
    "schemas": "piimask.cli.schemas_cmd:schemas",
    "demo": "piimask.cli.demo_cmd:demo",
    "model": "piimask.cli.model_cmd:model",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise
        command = getattr(module, attr)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="piimask")
def main() -> None:
    """Detect and mask PII in text and Kafka streams."""
