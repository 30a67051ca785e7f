"""``piimask schemas``: regenerate (or check) the JSON Schemas in schemas/."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output directory (default: schemas/ of the source checkout).",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any schema is stale.")
def schemas(directory: Path | None, check: bool) -> None:
    """Write JSON Schemas generated from the pydantic models (policy, audit event, ...)."""
    from piimask.schemas import default_schema_dir, stale_schemas, write_schemas

    target = directory or default_schema_dir()
    if check:
        problems = stale_schemas(target)
        for problem in problems:
            click.echo(f"stale: {target / problem}", err=True)
        if problems:
            click.echo("run `piimask schemas` to regenerate", err=True)
            raise SystemExit(1)
        click.echo(f"schemas in {target} are up to date")
        return
    changed = write_schemas(target)
    for path in changed:
        click.echo(f"wrote {path}")
    if not changed:
        click.echo(f"schemas in {target} are up to date")
