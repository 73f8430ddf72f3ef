"""Seed documents: a dict, or a JSON, TOML or YAML file holding the same."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any, Mapping


def load_seed(seed: Any) -> dict:
    """A copy of the seed as a dict: from a mapping, or from a file path
    (``.json``; ``.toml``; ``.yaml``/``.yml`` when PyYAML is installed)."""
    if isinstance(seed, Mapping):
        return copy.deepcopy(dict(seed))
    if isinstance(seed, (str, os.PathLike)):
        path = Path(seed)
        text = path.read_text("utf-8")
        suffix = path.suffix.lower()
        if suffix == ".toml":
            try:
                import tomllib
            except ModuleNotFoundError:  # Python < 3.11
                import tomli as tomllib  # type: ignore[no-redef]
            doc = tomllib.loads(text)
        elif suffix in (".yaml", ".yml"):
            try:
                import yaml  # type: ignore[import-untyped]
            except ModuleNotFoundError as e:
                raise RuntimeError(f"{path}: a YAML seed needs PyYAML (pip install pyyaml)") from e
            doc = yaml.safe_load(text)
        else:
            doc = json.loads(text)
        if not isinstance(doc, dict):
            raise ValueError(f"{path}: a seed is an object with `accounts`, not {type(doc).__name__}")
        return doc
    raise TypeError(f"a seed is a dict or a file path, not {type(seed).__name__}")


def substitute(value: Any, substitutions: Mapping[str, str]) -> Any:
    """``value`` with every ``{name}`` of ``substitutions`` replaced in its
    strings (keys included)."""
    if isinstance(value, str):
        for name, replacement in substitutions.items():
            value = value.replace("{" + name + "}", replacement)
        return value
    if isinstance(value, dict):
        return {substitute(k, substitutions): substitute(v, substitutions) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, substitutions) for v in value]
    return value


def mentions(value: Any, token: str) -> bool:
    """Whether ``token`` appears in any string of ``value``."""
    if isinstance(value, str):
        return token in value
    if isinstance(value, dict):
        return any(mentions(k, token) or mentions(v, token) for k, v in value.items())
    if isinstance(value, list):
        return any(mentions(v, token) for v in value)
    return False
