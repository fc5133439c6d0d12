"""param-count: how many parameters a stacked (bidirectional, projected) RNN/GRU/LSTM has, array by array.

Counts follow the frameworks' own layouts, so they can be checked against them:

* PyTorch (``torch.nn.LSTM`` / ``GRU`` / ``RNN``): per layer and direction ``weight_ih`` (G*H, in),
  ``weight_hh`` (G*H, R), ``bias_ih`` and ``bias_hh`` (G*H each), and with ``proj_size`` P > 0 (LSTM only)
  ``weight_hr`` (P, H). G is 4 (LSTM), 3 (GRU), 1 (RNN); R is P if P > 0 else H. Layer 0 reads ``in = X``; every
  later layer reads the previous layer's output, ``in = R * directions``.
* Keras (``LSTM`` / ``GRU`` / ``SimpleRNN`` in a ``Bidirectional`` wrapper when asked): the same kernels but one
  bias of G*H, except GRU, whose default ``reset_after=True`` keeps two (2 * 3H); with ``reset_after=False`` it has
  one. Keras has no projection, so with ``proj_size`` > 0 its count is ``None``.

For one layer, one direction and no projection this reduces to the interview formulas
``LSTM 4H(X+H) + 8H``, ``GRU 3H(X+H) + 6H``, ``RNN H(X+H) + 2H`` (PyTorch) and ``4H(X+H) + 4H`` (Keras LSTM).
"""

from __future__ import annotations

from dataclasses import dataclass

from lstm_engine.demos.params import SPECS

NAME = "param-count"
#: Gate blocks stacked in the weight rows: LSTM i|f|g|o, GRU r|z|n, RNN one tanh block.
GATES = {"lstm": 4, "gru": 3, "rnn": 1}


@dataclass(frozen=True)
class ParamArray:
    """One parameter array as PyTorch names it (``weight_ih_l1_reverse``)."""

    name: str
    shape: tuple[int, ...]

    @property
    def count(self) -> int:
        total = 1
        for size in self.shape:
            total *= size
        return total


@dataclass(frozen=True)
class LayerCount:
    """The parameters of one layer in one direction."""

    layer: int
    reverse: bool
    input_size: int
    weight_ih: int
    weight_hh: int
    bias_pytorch: int
    bias_keras: int
    weight_hr: int

    @property
    def pytorch(self) -> int:
        return self.weight_ih + self.weight_hh + self.bias_pytorch + self.weight_hr

    @property
    def keras(self) -> int:
        return self.weight_ih + self.weight_hh + self.bias_keras


@dataclass(frozen=True)
class ParamCountResult:
    cell: str
    input_size: int
    hidden_size: int
    num_layers: int
    bidirectional: bool
    proj_size: int
    gates: int
    layers: tuple[LayerCount, ...]
    #: Every array PyTorch creates, in ``named_parameters()`` order.
    arrays: tuple[ParamArray, ...]
    pytorch_total: int
    #: ``None`` when Keras has no equivalent layer (an LSTM projection).
    keras_total: int | None
    #: Keras GRU with ``reset_after=False`` (one bias); ``None`` for other cells.
    keras_gru_one_bias_total: int | None
    #: The single-layer textbook formula with this config's X and H, and its value for layer 0, one direction.
    formula: str
    formula_value: int


def run(**args: object) -> ParamCountResult:
    """Count the parameters of the configured stack. ValueError for a bad argument or a projection that PyTorch
    refuses (``proj_size`` only on an LSTM, and smaller than ``hidden_size``)."""
    values = SPECS[NAME].validate(args)
    cell = str(values["cell"])
    x_size = int(values["input_size"])  # type: ignore[arg-type]
    hidden = int(values["hidden_size"])  # type: ignore[arg-type]
    num_layers = int(values["num_layers"])  # type: ignore[arg-type]
    bidirectional = bool(values["bidirectional"])
    proj = int(values["proj_size"])  # type: ignore[arg-type]
    if proj and cell != "lstm":
        raise ValueError(f"proj_size applies only to cell=lstm, got cell={cell} with proj_size={proj}")
    if proj >= hidden:
        raise ValueError(f"proj_size must be smaller than hidden_size ({hidden}), got {proj}")

    gates = GATES[cell]
    rows = gates * hidden
    recurrent = proj or hidden  # the size of h fed back (and passed up)
    directions = 2 if bidirectional else 1
    layers: list[LayerCount] = []
    arrays: list[ParamArray] = []
    for layer in range(num_layers):
        in_size = x_size if layer == 0 else recurrent * directions
        for reverse in (False, True)[:directions]:
            suffix = f"_l{layer}" + ("_reverse" if reverse else "")
            arrays += [
                ParamArray(f"weight_ih{suffix}", (rows, in_size)),
                ParamArray(f"weight_hh{suffix}", (rows, recurrent)),
                ParamArray(f"bias_ih{suffix}", (rows,)),
                ParamArray(f"bias_hh{suffix}", (rows,)),
            ]
            if proj:
                arrays.append(ParamArray(f"weight_hr{suffix}", (proj, hidden)))
            # Keras GRU's default reset_after=True keeps a second bias for the recurrent kernel, like PyTorch.
            keras_biases = 2 if cell == "gru" else 1
            layers.append(
                LayerCount(
                    layer=layer,
                    reverse=reverse,
                    input_size=in_size,
                    weight_ih=rows * in_size,
                    weight_hh=rows * recurrent,
                    bias_pytorch=2 * rows,
                    bias_keras=keras_biases * rows,
                    weight_hr=proj * hidden,
                )
            )
    pytorch_total = sum(a.count for a in arrays)
    keras_total = None if proj else sum(item.keras for item in layers)
    one_bias = sum(item.keras - item.bias_keras + rows for item in layers) if cell == "gru" else None
    formula = f"{gates}H(X+H) + {2 * gates}H = {gates}*{hidden}*({x_size}+{hidden}) + {2 * gates}*{hidden}"
    formula_value = gates * hidden * (x_size + hidden) + 2 * gates * hidden
    return ParamCountResult(
        cell=cell,
        input_size=x_size,
        hidden_size=hidden,
        num_layers=num_layers,
        bidirectional=bidirectional,
        proj_size=proj,
        gates=gates,
        layers=tuple(layers),
        arrays=tuple(arrays),
        pytorch_total=pytorch_total,
        keras_total=keras_total,
        keras_gru_one_bias_total=one_bias,
        formula=formula,
        formula_value=formula_value,
    )
