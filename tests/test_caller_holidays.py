"""A caller can supply a year's holiday arrangement the calendar package lacks (2027 today):
working days there are then counted, not estimated, and the fingerprint records it."""

from datetime import date

import dingdian_rules as dr

CASE = {"application": {"materials_received_on": "2026-12-29"}}
AS_OF = date(2026, 12, 30)


def _notice(pack: dr.ResolvedPack) -> dr.DeadlineResult:
    d = dr.evaluate(pack, CASE, "deadlines", as_of=AS_OF)
    return next(x for x in d.deadlines if x.rule_id == "time_limit.materials_notice"), d


def test_without_the_year_the_count_is_estimated_and_warned() -> None:
    # 5 working days after Tue 2026-12-29: 12-30, 12-31, then 2027 is not covered: 2027-01-01
    # (Fri) is 元旦, a statutory holiday whatever the notice says (放假办法 art. 2), so 01-04 is
    # the 3rd, 01-05 the 4th, 01-06 the 5th; 2027's 调休 is unknown, so the day is estimated (no
    # arrangement in the bounds of holidays.py moves it: 元旦 on a Friday joins the weekend).
    notice, d = _notice(dr.load_pack("national"))
    assert notice.estimated and notice.due == date(2027, 1, 6)
    assert (notice.earliest, notice.latest) == (date(2027, 1, 6), date(2027, 1, 6))
    assert "calendar-estimated" in [w.code for w in d.warnings]


def test_a_supplied_arrangement_is_used_and_fingerprinted() -> None:
    # Suppose 2027-01-01 (Fri) is a holiday and Sun 2027-01-03 a make-up working day: the working
    # days after 12-29 are 12-30, 12-31, 01-03, 01-04, 01-05 -> due 2027-01-05, not estimated.
    y2027 = dr.YearArrangement(2027, frozenset({date(2027, 1, 1)}), frozenset({date(2027, 1, 3)}), "test arrangement")
    pack = dr.load_pack("national", holidays=[y2027])
    notice, d = _notice(pack)
    assert not notice.estimated and notice.due == date(2027, 1, 5)
    assert "calendar-estimated" not in [w.code for w in d.warnings]
    assert "test arrangement" in notice.calendar
    assert pack.fingerprint != dr.load_pack("national").fingerprint


def test_a_supplied_holiday_moves_the_due_date() -> None:
    # With 2027-01-04 and 01-05 also holidays, the 3rd..5th working days are 01-06..01-08.
    y2027 = dr.YearArrangement(2027, frozenset({date(2027, 1, 1), date(2027, 1, 4), date(2027, 1, 5)}),
                               frozenset(), "test arrangement")
    notice, _ = _notice(dr.load_pack("national", holidays=[y2027]))
    assert notice.due == date(2027, 1, 8)


def test_bad_holiday_arguments_are_refused_clearly() -> None:
    import pytest
    with pytest.raises(TypeError, match="YearArrangement"):
        dr.load_pack("national", holidays=[{"year": 2027}])
    y = dr.YearArrangement(2027, frozenset(), frozenset(), "a")
    with pytest.raises(ValueError, match="same year"):
        dr.load_pack("national", holidays=[y, y])
