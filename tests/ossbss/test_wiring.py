"""The composition root builds the adapter the settings name and subscribes incentives to deal events."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import Settings
from composition.container import build
from network.errors import InvalidInput
from ossbss.embedded import EmbeddedBss
from ossbss.tmf.client import TmfBss


def test_the_embedded_ledger_is_the_default(tmp_path: Path) -> None:
    layer8 = build(Settings(home=tmp_path))
    assert isinstance(layer8.bss, EmbeddedBss)
    layer8.close()


def test_the_tmf_adapter_needs_a_base_url(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        _ = build(Settings(home=tmp_path, bss_adapter="tmf")).bss
    bss = build(
        Settings(home=tmp_path, bss_adapter="tmf", tmf_base_url="http://bss.example", tmf_timeout_s=3)
    ).bss
    assert isinstance(bss, TmfBss)
    bss.close()
