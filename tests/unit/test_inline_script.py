"""The head's small scripts are written into the page (components/inline_script.py); a script
that cannot be is refused when the app is built, not sent broken. tests/e2e/test_prod_build.py
checks a real build in a browser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from microblog.components import inline_script as module
from microblog.components.inline_script import INLINE_MAX, inline_script


def test_the_script_is_the_files_text_with_its_attributes() -> None:
    rendered = inline_script("public_origin.js", **{"data-origin": "https://example.org"}).render()
    text = (module.ASSETS / "public_origin.js").read_text(encoding="utf-8")
    assert rendered["name"] == '"script"'
    assert rendered["props"] == ['"data-origin":"https://example.org"']
    assert [child["contents"] for child in rendered["children"]] == [json.dumps(text)]


@pytest.mark.parametrize(
    "text", ["x" * (INLINE_MAX + 1), "var s = '</SCRIPT>';"], ids=["too big", "ends itself"]
)
def test_a_script_that_cannot_be_written_in_is_refused(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "odd.js").write_text(text)
    monkeypatch.setattr(module, "ASSETS", tmp_path)
    with pytest.raises(ValueError, match=r"odd\.js"):
        inline_script("odd.js")
