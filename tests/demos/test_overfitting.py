"""overfitting: early stopping by hand, the first epoch (with its dropout mask) against PyTorch, and the story."""

from __future__ import annotations

import numpy as np
import pytest
from demo_support import assert_view_shows_key_numbers

from lstm_engine.demos import overfitting as of
from quizzer.demos.registry import REGISTRY

SHORT = {"hidden_size": 6, "epochs": 8, "patience": 3}


@pytest.fixture(scope="module")
def default_result() -> of.OverfittingResult:
    return REGISTRY["overfitting"].run()


def test_early_stopping_by_hand():
    val = np.array([5.0, 4.0, 3.0, 3.5, 3.0, 2.0, 2.5, 2.6, 2.7, 1.0])
    # best 3.0 at epoch 3; epoch 4 and 5 (3.0 is not strictly lower) do not improve: with patience 2, stop at 5
    assert of.early_stopping(val, 2) == (3, 3.0, 5)
    # patience 3: epoch 6 improves to 2.0; 7, 8, 9 do not: stop at 9, keep epoch 6
    assert of.early_stopping(val, 3) == (6, 2.0, 9)
    assert of.early_stopping(val, 10) == (10, 1.0, None)
    best_epoch, best, stop = of.early_stopping(np.array([]), 3)
    assert (best_epoch, stop) == (0, None) and np.isnan(best)


def test_data_split_is_chronological():
    clean, noisy, (x_train, y_train, x_val, y_val) = of.make_data(0.3, seed=4)
    assert noisy.shape == clean.shape == (of.SERIES_LENGTH,)
    assert x_train.shape == (of.WINDOW, of.TRAIN_WINDOWS, 1)
    assert x_val.shape[1] == y_val.shape[0] == of.SERIES_LENGTH - of.WINDOW - of.TRAIN_WINDOWS
    split = of.WINDOW + of.TRAIN_WINDOWS
    np.testing.assert_array_equal(y_train[:, 0], noisy[of.WINDOW:split])
    np.testing.assert_array_equal(y_val[:, 0], noisy[split:])
    np.testing.assert_array_equal(x_val[:, 0, 0], noisy[split - of.WINDOW:split])


def test_defaults_overfit_and_early_stopping_helps(default_result):
    r = default_result
    plain, drop = r.runs["plain"], r.runs["dropout"]
    assert plain.epochs_run == drop.epochs_run == r.epochs and not r.cancelled
    assert r.noise_floor == pytest.approx(r.noise**2)
    # memorising: training MSE far below the noise floor while validation MSE climbs back up
    assert plain.final_train < 0.2 * r.noise_floor
    assert plain.final_val > 1.3 * plain.best_val
    assert plain.stop_epoch is not None and plain.best_epoch < plain.stop_epoch < r.epochs
    # dropout makes memorising harder: its training MSE stays higher
    assert drop.final_train > plain.final_train
    for curve in (plain, drop):
        assert curve.best_val == pytest.approx(np.min(curve.val_loss[: curve.stop_epoch]))


def test_zero_dropout_makes_the_runs_identical():
    r = of.run(dropout=0.0, **SHORT)
    assert np.array_equal(r.runs["plain"].val_loss, r.runs["dropout"].val_loss)


def test_first_epoch_matches_torch():
    """One full-batch Adam step (with clipping, and the run's own dropout mask) gives the reported MSEs."""
    torch = pytest.importorskip("torch")
    hidden, p, seed = 5, 0.4, 3
    r = of.run(hidden_size=hidden, dropout=p, epochs=1, seed=seed)
    _, _, (x_train, y_train, x_val, y_val) = of.make_data(r.noise, seed)
    mask_rng = np.random.default_rng(seed + of.DROPOUT_SEED_OFFSET)
    masks = {"plain": None, "dropout": (mask_rng.random((of.TRAIN_WINDOWS, hidden)) >= p) / (1 - p)}
    for name, mask in masks.items():
        net = of.build(hidden, seed, 0.0)
        lstm = torch.nn.LSTM(1, hidden).double()
        head = torch.nn.Linear(hidden, 1).double()
        lstm.load_state_dict({k: torch.from_numpy(v) for k, v in net.model.state_dict().items()})
        head.load_state_dict({k: torch.from_numpy(v) for k, v in net.head.state_dict().items()})
        params = [*lstm.parameters(), *head.parameters()]
        opt = torch.optim.Adam(params, lr=of.LEARNING_RATE)
        out, _ = lstm(torch.from_numpy(x_train))
        last = out[-1] if mask is None else out[-1] * torch.from_numpy(mask)
        torch.nn.functional.mse_loss(head(last), torch.from_numpy(y_train)).backward()
        torch.nn.utils.clip_grad_norm_(params, of.MAX_NORM)
        opt.step()
        with torch.no_grad():
            train = torch.nn.functional.mse_loss(head(lstm(torch.from_numpy(x_train))[0][-1]),
                                                 torch.from_numpy(y_train)).item()
            val = torch.nn.functional.mse_loss(head(lstm(torch.from_numpy(x_val))[0][-1]),
                                               torch.from_numpy(y_val)).item()
        assert r.runs[name].train_loss[0] == pytest.approx(train, rel=1e-10)
        assert r.runs[name].val_loss[0] == pytest.approx(val, rel=1e-10)


def test_same_seed_same_result():
    a, b = of.run(**SHORT), of.run(**SHORT)
    for name in of.RUNS:
        assert np.array_equal(a.runs[name].train_loss, b.runs[name].train_loss)
        assert np.array_equal(a.runs[name].val_loss, b.runs[name].val_loss)
    assert not np.array_equal(a.series, of.run(**{**SHORT, "seed": 1}).series)


def test_on_step_reports_and_cancels():
    calls = []

    def on_step(done, total, metrics):
        calls.append((done, total, dict(metrics)))
        return done >= 2 * of.PROGRESS_EVERY

    r = of.run(on_step=on_step, **{**SHORT, "epochs": 50})
    assert r.cancelled
    assert [c[0] for c in calls] == [of.PROGRESS_EVERY, 2 * of.PROGRESS_EVERY]
    for name in of.RUNS:
        assert r.runs[name].epochs_run == 2 * of.PROGRESS_EVERY
        assert calls[-1][2][name] == r.runs[name].val_loss[-1]
    assert calls[-1][1] == 50


@pytest.mark.parametrize(("name", "value"), [("dropout", 0.95), ("epochs", 0), ("patience", 0), ("noise", -1.0),
                                             ("hidden_size", 1)])
def test_bad_arguments_name_the_parameter(name, value):
    with pytest.raises(ValueError, match=name):
        of.run(**{name: value})


def test_view_renders_at_80_columns_with_its_key_numbers(default_result):
    assert_view_shows_key_numbers("overfitting", default_result)
