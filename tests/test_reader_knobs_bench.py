"""The reader-knobs benchmark reads the settings it is asked for, in either weight precision."""

from __future__ import annotations

import pytest

from bench.reader_knobs import _setting


def test_a_setting_is_16_bit_unless_it_says_8() -> None:
    assert _setting("12,10,64") == (12, 10, 64, False)
    assert _setting("12,10,64,8") == (12, 10, 64, True)
    assert _setting("12,10,64,16") == (12, 10, 64, False)


@pytest.mark.parametrize("text", ["12,10", "12,10,64,4", "12,10,64,8,1"])
def test_a_malformed_setting_is_refused_with_its_text(text: str) -> None:
    with pytest.raises(SystemExit, match=text):
        _setting(text)
