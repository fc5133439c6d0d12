"""adding-problem: the training pipeline against PyTorch, the LSTM/RNN gap on a short budget, stopping rules."""

from __future__ import annotations

import numpy as np
import pytest
from demo_support import assert_view_shows_key_numbers

from lstm_engine import tasks
from lstm_engine.demos import adding_problem as ap
from quizzer.demos.registry import REGISTRY

TINY = {"seq_len": 12, "hidden_size": 6, "batch_size": 8, "target_mse": 0.0}
#: A budget on which the LSTM learns the task at T=30 and the RNN cannot (seed 0), in a few seconds.
GAP = {"seq_len": 30, "hidden_size": 32, "lr": 0.05, "iterations": 300, "target_mse": 0.03, "seed": 0}


@pytest.mark.slow
def test_lstm_beats_the_baseline_and_the_rnn_does_not():
    lstm = ap.run(models="lstm", **GAP).curves["lstm"]
    rnn = ap.run(models="rnn", **GAP).curves["rnn"]
    baseline = tasks.ADDING_BASELINE_MSE
    assert lstm.final_mse < 0.3 * baseline
    assert lstm.iterations_to_target is not None
    assert rnn.final_mse > 0.7 * baseline and rnn.iterations_to_target is None
    assert len(rnn.train_loss) == GAP["iterations"]


@pytest.mark.parametrize("name", ap.MODEL_NAMES)
def test_two_training_steps_match_torch(name):
    """Same weights, same batches: Adam + clip_grad_norm_ + MSE in torch give the losses the demo reports."""
    torch = pytest.importorskip("torch")
    hidden, seq_len, batch, lr, seed = 5, 10, 4, 0.03, 2
    result = ap.run(models=name, seq_len=seq_len, hidden_size=hidden, batch_size=batch, lr=lr, iterations=2,
                    target_mse=0.0, seed=seed)
    curve = result.curves[name]

    net = ap.build(name, hidden, seed)
    cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[name]
    ref = cls(ap.INPUT_SIZE, hidden).double()
    head = torch.nn.Linear(hidden, 1).double()
    ref.load_state_dict({k: torch.from_numpy(v) for k, v in net.model.state_dict().items()})
    head.load_state_dict({k: torch.from_numpy(v) for k, v in net.head.state_dict().items()})
    params = [*ref.parameters(), *head.parameters()]
    opt = torch.optim.Adam(params, lr=lr)
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(2):
        x, y = tasks.adding_problem(batch, seq_len, rng)
        out, _ = ref(torch.from_numpy(x))
        loss = torch.nn.functional.mse_loss(head(out[-1]), torch.from_numpy(y))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, ap.MAX_NORM)
        opt.step()
        losses.append(loss.item())
    x_eval, y_eval = tasks.adding_problem(ap.EVAL_SIZE, seq_len, np.random.default_rng(seed + ap.EVAL_SEED_OFFSET))
    with torch.no_grad():
        out, _ = ref(torch.from_numpy(x_eval))
        held_out = torch.nn.functional.mse_loss(head(out[-1]), torch.from_numpy(y_eval)).item()
    np.testing.assert_allclose(curve.train_loss, losses, rtol=1e-10)
    assert curve.eval_iterations.tolist() == [0, 2]
    assert curve.eval_loss[-1] == pytest.approx(held_out, rel=1e-10)


def test_lstm_starts_with_forget_bias_one():
    params = ap.build("lstm", 4, 0).model.parameters()
    np.testing.assert_array_equal(params["bias_ih_l0"][4:8], ap.FORGET_BIAS)
    np.testing.assert_array_equal(params["bias_hh_l0"][4:8], 0.0)


def test_run_stops_when_the_lstm_reaches_the_target():
    # every model's held-out MSE is far below 1, so the run ends at the first scoring point after training
    r = ap.run(**{**TINY, "target_mse": 1.0, "iterations": 500})
    assert r.reached_target and not r.cancelled
    assert r.iterations_done == ap.EVAL_EVERY
    for curve in r.curves.values():
        assert curve.iterations_to_target == ap.EVAL_EVERY
        assert len(curve.train_loss) == ap.EVAL_EVERY
        assert curve.seconds_to_target is not None and curve.seconds_to_target <= curve.seconds


def test_without_a_target_every_iteration_runs():
    r = ap.run(models="gru", iterations=30, **TINY)
    assert not r.reached_target and r.iterations_done == 30
    assert r.curves["gru"].eval_iterations.tolist() == [0, ap.EVAL_EVERY, 30]
    assert r.curves["gru"].iterations_to_target is None


def test_on_step_reports_each_model_and_cancels():
    calls = []

    def on_step(done, total, metrics):
        calls.append((done, total, dict(metrics)))
        return done >= 2 * ap.PROGRESS_EVERY

    r = ap.run(on_step=on_step, iterations=200, **TINY)
    assert r.cancelled and r.iterations_done == 2 * ap.PROGRESS_EVERY
    assert [c[0] for c in calls] == [ap.PROGRESS_EVERY, 2 * ap.PROGRESS_EVERY]
    assert all(c[1] == 200 and set(c[2]) == set(ap.MODEL_NAMES) for c in calls)
    for name, curve in r.curves.items():
        assert len(curve.train_loss) == 2 * ap.PROGRESS_EVERY
        # the metric is the mean training loss since the previous report
        assert calls[-1][2][name] == pytest.approx(np.mean(curve.train_loss[ap.PROGRESS_EVERY:]))
        assert curve.eval_iterations.tolist() == [0, 2 * ap.PROGRESS_EVERY]   # the partial model is scored


def test_same_seed_same_result():
    a = ap.run(iterations=8, **TINY)
    b = ap.run(iterations=8, **TINY)
    for name in ap.MODEL_NAMES:
        assert np.array_equal(a.curves[name].train_loss, b.curves[name].train_loss)
        assert np.array_equal(a.curves[name].eval_loss, b.curves[name].eval_loss)
    c = ap.run(iterations=8, **{**TINY, "seed": 1})
    assert not np.array_equal(a.curves["lstm"].train_loss, c.curves["lstm"].train_loss)


@pytest.mark.parametrize(("name", "value"), [("seq_len", 5), ("seq_len", 201), ("models", "lstm2"),
                                             ("batch_size", 0), ("target_mse", -0.1)])
def test_bad_arguments_name_the_parameter(name, value):
    with pytest.raises(ValueError, match=name):
        ap.run(**{name: value})


def test_view_renders_at_80_columns_with_its_key_numbers():
    result = ap.run(iterations=60, **{**TINY, "target_mse": 0.1})
    _, pairs = assert_view_shows_key_numbers("adding-problem", result)
    assert [label for label, _ in pairs[:3]] == ["LSTM", "GRU", "RNN"]


@pytest.mark.slow
def test_registry_defaults_run_to_the_target():
    result = REGISTRY["adding-problem"].run()
    assert result.seq_len == 50 and result.reached_target
    assert result.curves["lstm"].final_mse < result.target_mse
