import json
import os
import pathlib

import pytest

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[2]


def expand(value):
    """The vector with "{repo}" replaced by the repository's root, recursively."""
    if isinstance(value, str):
        return value.replace("{repo}", str(REPO))
    if isinstance(value, list):
        return [expand(v) for v in value]
    if isinstance(value, dict):
        return {k: expand(v) for k, v in value.items()}
    return value


VECTORS = expand(json.loads((REPO / "bindings" / "test-vectors.json").read_text("utf-8")))


@pytest.fixture(autouse=True)
def hermetic(monkeypatch):
    # Tests never use the network nor the user's trust store.
    monkeypatch.setenv("KYSO_OFFLINE", "1")
    monkeypatch.setenv("KYSO_TRUST_DIR", os.path.join(os.sep, "nonexistent", "kyso-trust"))
