"""The demo parameter specs: coercion from CLI strings, ranges, hints, and the registry built on them."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstm_engine.demos.params import SPECS, DemoParams, Param
from quizzer.demos.registry import REGISTRY, get, validators
from quizzer.errors import UserError


def test_every_registered_demo_has_specs_and_every_spec_a_demo() -> None:
    assert set(REGISTRY) == set(SPECS)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_defaults_validate_and_lie_in_range(name: str) -> None:
    spec = SPECS[name]
    values = spec.validate({})
    assert values == spec.defaults()
    for param in spec.params:
        if param.default is not None:
            assert param.coerce(param.default) == param.default


def test_int_from_cli_string_and_range_message() -> None:
    seq_len = SPECS["vanishing-gradient"]["seq_len"]
    assert seq_len.coerce("120") == 120
    assert seq_len.coerce(" 7.0 ") == 7
    with pytest.raises(ValueError, match=r"^seq_len must be an integer in \[5, 300\], got '500'$"):
        seq_len.coerce("500")
    with pytest.raises(ValueError, match="got 7.5"):
        seq_len.coerce(7.5)
    with pytest.raises(ValueError):
        seq_len.coerce(True)  # a bool is not a length


def test_float_rejects_non_finite_and_out_of_range() -> None:
    scale = SPECS["vanishing-gradient"]["weight_scale"]
    assert scale.coerce("0.5") == 0.5
    for bad in ("nan", "inf", "3.5", "abc", None):
        with pytest.raises(ValueError, match=r"weight_scale must be a number in \[0.05, 3\]"):
            scale.coerce(bad)


def test_bool_choice_and_lists() -> None:
    spec = SPECS["param-count"]
    assert spec["bidirectional"].coerce("yes") is True
    assert spec["bidirectional"].coerce("off") is False
    with pytest.raises(ValueError, match="bidirectional must be true or false"):
        spec["bidirectional"].coerce("maybe")
    with pytest.raises(ValueError, match="cell must be one of lstm, gru, rnn"):
        spec["cell"].coerce("transformer")
    lengths = SPECS["masking"]["lengths"]
    assert lengths.coerce("5,3, 1") == (5, 3, 1)
    assert lengths.coerce([2, 2]) == (2, 2)
    with pytest.raises(ValueError, match="lengths must be 1 to 8 comma-separated integers in"):
        lengths.coerce("5,0")
    biases = SPECS["forget-bias"]["biases"]
    assert biases.coerce("0 1.5") == (0.0, 1.5)


def test_unknown_parameter_hint() -> None:
    with pytest.raises(ValueError, match=r"vanishing-gradient: unknown parameter 'seqlen' \(did you mean 'seq_len'\?\)"):
        SPECS["vanishing-gradient"].validate({"seqlen": 10})
    with pytest.raises(ValueError, match="expected one of"):
        SPECS["masking"].validate({"zzzz": 1})


def test_none_default_passes_through_for_preset_weights() -> None:
    values = SPECS["gate-stepper"].validate({"w_f": None, "b_f": "2"})
    assert values["w_f"] is None and values["b_f"] == 2.0


@given(st.text(max_size=12))
def test_coerce_never_raises_anything_but_value_error(text: str) -> None:
    for spec in SPECS.values():
        for param in spec.params:
            try:
                param.coerce(text)
            except ValueError:
                pass


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown parameter kind"):
        Param("x", "complex", 0)
    assert DemoParams("d", ()).validate({}) == {}


def test_registry_get_and_validators() -> None:
    assert get("masking").module == "masking"
    with pytest.raises(UserError, match=r"unknown demo 'vanishing' \(did you mean 'vanishing-gradient'\?\)"):
        get("vanishing")
    check = validators()["adding-problem"]
    check({"seq_len": 100})
    with pytest.raises(ValueError, match="seq_len"):
        check({"seq_len": 5})


def test_listing_demos_imports_neither_numpy_nor_rich() -> None:
    code = (
        "import sys; from quizzer.demos.registry import REGISTRY, validators; validators()['masking']({});"
        "print(sorted(m for m in ('numpy', 'rich', 'textual', 'yaml') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
