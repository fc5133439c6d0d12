"""peephole: differences caused by the peepholes alone, checked by hand; the timing task; the demo contract."""

from __future__ import annotations

import numpy as np
import pytest
from demo_support import assert_view_shows_key_numbers

from lstm_engine import tasks
from lstm_engine.demos import peephole as ph

SHORT = {"seq_len": 12, "hidden_size": 4, "train_steps": 12}


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@pytest.fixture(scope="module")
def short_result() -> ph.PeepholeResult:
    return ph.run(**SHORT)


def test_twins_share_weights_and_zero_peepholes_change_nothing():
    plain, peep = ph.twin_lstms(5, seed=3)
    for key, value in plain.state_dict().items():
        assert np.array_equal(peep.state_dict()[key], value)
    assert {"weight_ci_l0", "weight_cf_l0", "weight_co_l0"} <= set(peep.state_dict())
    x, _ = tasks.interval_task(3, 10, np.random.default_rng(0))
    for key in ("weight_ci_l0", "weight_cf_l0", "weight_co_l0"):
        peep.parameters()[key][...] = 0.0
    a, b = plain.forward(x).gates[0], peep.forward(x).gates[0]
    for gate in ph.GATES:
        assert np.array_equal(a[gate], b[gate])


def test_first_step_by_hand(short_result):
    """At t=0, c_(-1) = 0: i and f cannot differ; o reads c_0 through w_co and must."""
    r = short_result
    assert r.gate_diff["i"][0] == 0.0 and r.gate_diff["f"][0] == 0.0
    assert r.gate_diff["o"][0] > 0.0
    _, peep = ph.twin_lstms(SHORT["hidden_size"], seed=0)
    p = peep.state_dict()
    h = SHORT["hidden_size"]
    pre = p["weight_ih_l0"][:, 0] * r.x[0] + p["bias_ih_l0"] + p["bias_hh_l0"]      # h_(-1) = 0
    i, g, o = _sigmoid(pre[:h]), np.tanh(pre[2 * h:3 * h]), pre[3 * h:]
    c0 = i * g
    np.testing.assert_allclose(r.gates_plain["o"][0], _sigmoid(o), rtol=1e-12)
    np.testing.assert_allclose(r.gates_peephole["o"][0], _sigmoid(o + p["weight_co_l0"] * c0), rtol=1e-12)
    np.testing.assert_allclose(r.gates_peephole["c"][0], c0, rtol=1e-12)
    np.testing.assert_allclose(r.peephole_weights["co"], p["weight_co_l0"])
    # the reported differences are the mean over units of the recorded gates' gap
    np.testing.assert_allclose(r.gate_diff["o"], np.abs(r.gates_peephole["o"] - r.gates_plain["o"]).mean(axis=1))


def test_shown_sequence_has_two_spikes(short_result):
    t1, t2 = short_result.spikes
    assert 0 <= t1 < t2 < SHORT["seq_len"]
    assert np.flatnonzero(short_result.x).tolist() == [t1, t2]


@pytest.mark.slow
def test_both_models_learn_the_timing_task():
    r = ph.run()   # defaults: T=30, 300 Adam steps
    assert r.steps_done == r.train_steps and not r.cancelled
    for model in ph.MODELS:
        assert r.eval_loss[model][0] > 0.9 * r.baseline_mse     # untrained: no better than the mean
        assert r.final_mse(model) < 0.5 * r.baseline_mse
    assert r.baseline_mse == pytest.approx(tasks.interval_baseline_mse(30))


def test_eval_schedule_and_training_record(short_result):
    r = short_result
    assert r.eval_steps.tolist() == [0, ph.EVAL_EVERY, SHORT["train_steps"]]
    for model in ph.MODELS:
        assert len(r.eval_loss[model]) == 3 and len(r.train_loss[model]) == SHORT["train_steps"]


def test_zero_steps_only_compares_the_gates():
    r = ph.run(**{**SHORT, "train_steps": 0})
    assert r.steps_done == 0 and r.eval_steps.tolist() == [0]


def test_same_seed_same_result(short_result):
    again = ph.run(**SHORT)
    for model in ph.MODELS:
        assert np.array_equal(again.train_loss[model], short_result.train_loss[model])
    for gate in ph.GATES:
        assert np.array_equal(again.gates_peephole[gate], short_result.gates_peephole[gate])


def test_on_step_reports_and_cancels():
    calls = []

    def on_step(done, total, metrics):
        calls.append((done, total, dict(metrics)))
        return True

    r = ph.run(on_step=on_step, **{**SHORT, "train_steps": 50})
    assert r.cancelled and r.steps_done == ph.PROGRESS_EVERY
    assert calls == [(ph.PROGRESS_EVERY, 50, {m: pytest.approx(np.mean(r.train_loss[m])) for m in ph.MODELS})]
    assert r.eval_steps.tolist() == [0, ph.PROGRESS_EVERY]     # the partial models are scored


@pytest.mark.parametrize(("name", "value"), [("seq_len", 2), ("hidden_size", 0), ("train_steps", -1),
                                             ("seed", "x")])
def test_bad_arguments_name_the_parameter(name, value):
    with pytest.raises(ValueError, match=name):
        ph.run(**{name: value})


def test_view_renders_at_80_columns_with_its_key_numbers(short_result):
    assert_view_shows_key_numbers("peephole", short_result)
