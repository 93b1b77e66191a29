"""The colour mode's class on `<html>` only (microblog/web/theme_root.py): the provider Reflex
generates is the one the plugin replaces, the replacement writes no class, and rxconfig.py uses
the plugin. The browser side (dark and light still apply, the root's class is never written) is
tests/e2e/test_colour_mode.py."""

from __future__ import annotations

from pathlib import Path

import pytest
import reflex_base

from microblog.web.theme_root import (
    PROVIDER,
    PROVIDER_MODULE,
    ProviderChanged,
    ThemeRootPlugin,
    provider_without_root_class,
)

REFLEX_PROVIDER = Path(reflex_base.__file__).parent / ".templates" / "web" / PROVIDER_MODULE


def test_the_provider_reflex_generates_is_replaced_by_one_that_writes_no_class() -> None:
    generated = REFLEX_PROVIDER.read_text()
    assert "classList" in generated  # what the replacement is for
    replaced = provider_without_root_class(generated)
    assert replaced == PROVIDER
    assert "classList" not in replaced and "className" not in replaced
    assert "export default function RadixThemesColorModeProvider({ children })" in replaced


def test_a_second_compile_keeps_the_replacement() -> None:
    assert provider_without_root_class(PROVIDER) == PROVIDER


def test_a_provider_the_plugin_does_not_know_is_refused() -> None:
    changed = "export default function RadixThemesColorModeProvider({ children, mode }) {}"
    with pytest.raises(ProviderChanged, match=r"theme_root\.py"):
        provider_without_root_class(changed)


def test_the_plugin_rewrites_the_provider_module() -> None:
    tasks: list[tuple[str, object]] = []
    ThemeRootPlugin().pre_compile(add_modify_task=lambda path, fn: tasks.append((path, fn)))
    assert tasks == [(PROVIDER_MODULE, provider_without_root_class)]


def test_rxconfig_uses_the_plugin() -> None:
    import rxconfig

    assert any(isinstance(plugin, ThemeRootPlugin) for plugin in rxconfig.config.plugins)
