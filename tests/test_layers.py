"""A layer whose text is not encoded says so on every decision under it (the Guangdong
provincial measures, 粤医保规〔2021〕1号, are not among the source texts)."""

from datetime import date

import pytest

import dingdian_rules as dr


@pytest.mark.parametrize("pack_id, expected", [
    ("guangdong", True), ("guangdong_foshan", True), ("guangdong_zhongshan", True),
    ("national", False), ("jiangsu", False), ("qinghai_agreement", False),
])
@pytest.mark.parametrize("question", ["application", "agreement", "deadlines"])
def test_not_encoded_layer_is_warned_on_every_decision(pack_id: str, expected: bool, question: str) -> None:
    d = dr.evaluate(dr.load_pack(pack_id), {}, question, as_of=date(2023, 6, 1))
    codes = [w.code for w in d.warnings]
    assert ("layer-not-encoded" in codes) is expected
    if expected:
        message = next(w.message for w in d.warnings if w.code == "layer-not-encoded")
        assert "粤医保规〔2021〕1号" in message and "guangdong" in message
