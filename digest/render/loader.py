"""Where templates come from: the user's `templates:` folder first, then the shipped ones."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def shipped_template_dir() -> Path:
    """The templates/ folder of a source checkout, or the copy installed as digest/templates."""
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file() and (root / "templates").is_dir():
        return root / "templates"  # a source checkout (editable install): edit templates/ in place
    # installed: templates/ is package data of digest.templates (see pyproject.toml)
    return Path(str(resources.files("digest") / "templates"))


def template_dirs(custom: Path | None) -> list[Path]:
    """Search path for jinja2: a user's folder overrides templates by name, the rest fall back."""
    dirs = [custom] if custom is not None else []
    dirs.append(shipped_template_dir())
    return dirs
