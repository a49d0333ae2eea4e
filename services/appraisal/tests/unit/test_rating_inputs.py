"""A ratings body names each RHK and each BerAKHLAK value at most once: which of two would count?"""

import pytest
from pydantic import ValidationError

from appraisal.schemas.evaluations import DecisionIn, RatingsIn

TWICE_LOYAL = [{"value": "loyal", "rating": "di_atas_ekspektasi"}, {"value": "loyal", "rating": "di_bawah_ekspektasi"}]
TWICE_R1 = [{"rhk_id": "r1", "rating": "di_atas_ekspektasi"}, {"rhk_id": "r1", "rating": "di_bawah_ekspektasi"}]


@pytest.mark.parametrize("model", [RatingsIn, DecisionIn])
@pytest.mark.parametrize(
    ("field", "items", "named"),
    [("behaviour_ratings", TWICE_LOYAL, "loyal"), ("rhk_ratings", TWICE_R1, "r1")],
)
def test_a_part_rated_twice_is_refused(
    model: type[RatingsIn | DecisionIn], field: str, items: list[dict[str, str]], named: str
) -> None:
    body = {field: items} | ({"decision": "upheld"} if model is DecisionIn else {})
    with pytest.raises(ValidationError) as refused:
        model.model_validate(body)
    assert f"named twice: {named}" in str(refused.value)


@pytest.mark.parametrize("model", [RatingsIn, DecisionIn])
def test_distinct_parts_are_accepted(model: type[RatingsIn | DecisionIn]) -> None:
    body = {
        "rhk_ratings": [{"rhk_id": r, "rating": "sesuai_ekspektasi"} for r in ("r1", "r2")],
        "behaviour_ratings": [{"value": v, "rating": "sesuai_ekspektasi"} for v in ("loyal", "adaptif")],
    } | ({"decision": "upheld"} if model is DecisionIn else {})
    parsed = model.model_validate(body)
    assert [r.rhk_id for r in parsed.rhk_ratings] == ["r1", "r2"]
