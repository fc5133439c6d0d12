"""exploding-gradient: the norms it reports against PyTorch autograd and clip_grad_norm_ semantics by hand."""

from __future__ import annotations

import numpy as np
import pytest
from demo_support import assert_view_shows_key_numbers

from lstm_engine import tasks
from lstm_engine.demos import exploding_gradient as eg
from lstm_engine.optim import CLIP_EPS
from quizzer.demos.registry import REGISTRY

SHORT = {"train_steps": 30, "seq_len": 20}


@pytest.fixture(scope="module")
def default_result() -> eg.ExplodingGradientResult:
    return REGISTRY["exploding-gradient"].run()


def test_recurrent_matrix_has_the_requested_spectral_radius():
    model = eg.scaled_rnn(12, 2.5, seed=4)
    assert np.max(np.abs(np.linalg.eigvals(model.parameters()["weight_hh_l0"]))) == pytest.approx(2.5, rel=1e-12)


def test_clipped_norms_follow_clip_grad_norm_semantics(default_result):
    r = default_result
    before, after, max_norm = r.norm_before_clip, r.norm_after_clip, r.max_norm
    clipped = before > max_norm
    assert clipped.any() and (~clipped).any()      # the defaults show both cases
    # torch: coef = max_norm / (total + 1e-6), applied only when < 1
    np.testing.assert_allclose(after[clipped], before[clipped] * max_norm / (before[clipped] + CLIP_EPS), rtol=1e-9)
    np.testing.assert_allclose(after[~clipped], before[~clipped], rtol=1e-12)
    assert np.all(after <= max_norm)


def test_defaults_explode_and_clipping_keeps_training_bounded(default_result):
    r = default_result
    assert r.growth_per_step > 1.0
    assert r.hidden_grad_norms[0] > 10 * r.hidden_grad_norms[-1]
    assert r.diverged_step is not None and r.diverged_step < r.train_steps
    assert len(r.loss_unclipped) == r.diverged_step
    assert np.all(np.isfinite(r.loss_clipped)) and r.steps_done == r.train_steps
    # after the first steps, the clipped run hovers near the mean-predictor baseline instead of blowing up
    assert np.mean(r.loss_clipped[-20:]) < 2 * r.baseline_mse


def test_contracting_recurrence_makes_gradients_vanish_instead():
    r = eg.run(spectral_radius=0.5, **SHORT)
    assert r.growth_per_step < 1.0
    assert r.hidden_grad_norms[0] < r.hidden_grad_norms[-1]


def test_last_step_gradient_by_hand():
    """||dL/dh_{T-1}|| = ||dL/dpred @ W_head||, with dL/dpred = 2 (pred - y) / B for the MSE."""
    seed, hidden, seq_len = 3, 8, 15
    net = eg._regressor(hidden, 1.5, seed)
    x, y = tasks.adding_problem(eg.BATCH_SIZE, seq_len, np.random.default_rng(seed))
    h_last = net.model.forward(x).output[-1]
    pred = h_last @ net.head.weight.T + net.head.bias
    expected = np.linalg.norm(2 * (pred - y) / len(y) @ net.head.weight)
    assert eg.hidden_gradient_norms(net, x, y)[-1] == pytest.approx(expected, rel=1e-12)


def test_norms_match_torch_autograd():
    torch = pytest.importorskip("torch")
    args = {"spectral_radius": 2.0, "seq_len": 25, "hidden_size": 10, "max_norm": 0.5, "train_steps": 10, "seed": 5}
    r = eg.run(**args)
    net = eg._regressor(10, 2.0, 5)
    x, y = tasks.adding_problem(eg.BATCH_SIZE, 25, np.random.default_rng(5))
    state = {k: torch.tensor(v, requires_grad=True) for k, v in net.model.state_dict().items()}
    head_w = torch.tensor(net.head.weight, requires_grad=True)
    head_b = torch.tensor(net.head.bias, requires_grad=True)
    h = torch.zeros(eg.BATCH_SIZE, 10, dtype=torch.float64)
    hs = []
    for t in range(25):
        h = torch.tanh(torch.from_numpy(x[t]) @ state["weight_ih_l0"].T + state["bias_ih_l0"]
                       + h @ state["weight_hh_l0"].T + state["bias_hh_l0"])
        h.retain_grad()
        hs.append(h)
    loss = torch.nn.functional.mse_loss(h @ head_w.T + head_b, torch.from_numpy(y))
    loss.backward()
    np.testing.assert_allclose(r.hidden_grad_norms, [hh.grad.norm().item() for hh in hs], rtol=1e-10)
    params = [*state.values(), head_w, head_b]
    total = torch.nn.utils.clip_grad_norm_(params, 0.5).item()
    assert r.loss_clipped[0] == pytest.approx(loss.item(), rel=1e-12)
    assert r.norm_before_clip[0] == pytest.approx(total, rel=1e-10)
    after = torch.sqrt(sum((p.grad**2).sum() for p in params)).item()
    assert r.norm_after_clip[0] == pytest.approx(after, rel=1e-10)


def test_same_seed_same_result():
    a, b = eg.run(seed=11, **SHORT), eg.run(seed=11, **SHORT)
    for name in ("hidden_grad_norms", "loss_clipped", "loss_unclipped", "norm_before_clip", "norm_unclipped"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.loss_clipped, eg.run(seed=12, **SHORT).loss_clipped)


def test_on_step_reports_and_cancels():
    calls = []

    def on_step(done, total, metrics):
        calls.append((done, total, dict(metrics)))
        return done >= 10

    r = eg.run(on_step=on_step, spectral_radius=0.5, **SHORT)
    assert r.cancelled and r.steps_done == 10
    assert [c[0] for c in calls] == [eg.PROGRESS_EVERY, 2 * eg.PROGRESS_EVERY]
    assert calls[-1][1] == SHORT["train_steps"]
    assert calls[-1][2]["clipped"] == r.loss_clipped[-1]
    full = eg.run(spectral_radius=0.5, **SHORT)
    assert not full.cancelled and np.array_equal(full.loss_clipped[:10], r.loss_clipped)


@pytest.mark.parametrize(("name", "value"), [("spectral_radius", 9.0), ("seq_len", 1), ("max_norm", -1.0),
                                             ("train_steps", 0), ("lr", "fast")])
def test_bad_arguments_name_the_parameter(name, value):
    with pytest.raises(ValueError, match=name):
        eg.run(**{name: value})
    with pytest.raises(ValueError, match="did you mean 'max_norm'"):
        eg.run(max_nrom=1.0)


def test_view_renders_at_80_columns_with_its_key_numbers(default_result):
    text, pairs = assert_view_shows_key_numbers("exploding-gradient", default_result)
    for _, value in pairs:
        assert value in text
    assert f"diverged at step {default_result.diverged_step}" in text
