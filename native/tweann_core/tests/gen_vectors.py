#!/usr/bin/env python3
"""Generate the CfC / LTC reference vectors from ncps itself (torch, float64).

Requirements (PyPI): ``pip install ncps torch`` (ncps 1.0.1, any torch 2.x).
The vectors were produced with ncps 1.0.1 and torch 2.15.0 (CPU), by running
ncps's own ``CfCCell`` / ``LTCCell`` and, for sequences, its ``CfC`` / ``LTC``
wrappers, all with ``torch.set_default_dtype(torch.float64)``.

Usage (from the repository root)::

    python3 native/tweann_core/tests/gen_vectors.py

writes two files with the same cases, so the tests need no Python:

* ``native/tweann_core/tests/data/cells_vectors.txt`` for ``cargo test``
  (whitespace-separated tokens, parsed by ``tests/cells_vectors.rs``), and
* ``native/tweann_core/tests/data/cells_vectors.eterm`` for EUnit (``file:consult/1`` terms, read by
  ``test/tweann_ref_cells_tests.erl``).

Per-row elapsed times: ncps's sequence wrappers are only well defined for
batch size 1 (see docs/cells.md section 4), so every batch row is computed by a
separate call with B = 1 (the cell called directly for single steps, the
wrapper with ``timespans`` for sequences) and the rows are then stacked.

Parameters are written in the flat layouts of docs/cells.md sections 2.5 (CfC)
and 3.4 (LTC). Everything is seeded, so re-running reproduces the files.
"""

import os
import sys

import numpy as np
import torch
from ncps.torch import CfC, CfCCell, LTC, LTCCell
from ncps.wirings import FullyConnected

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
TXT = os.path.join(HERE, "data", "cells_vectors.txt")
ETERM = os.path.join(HERE, "data", "cells_vectors.eterm")


def t64(a):
    return torch.tensor(np.asarray(a, dtype=np.float64))


# --------------------------------------------------------------------------
# CfC
# --------------------------------------------------------------------------

def cfc_linears(cell, nl):
    """The Linear layers of a CfCCell in flat-layout order."""
    layers = []
    if nl > 0:
        layers += [m for m in cell.backbone if isinstance(m, torch.nn.Linear)]
    layers.append(cell.ff1)
    return layers


def cfc_set_params(cell, cfg, rng, scale):
    """Fill the cell with random params; return the flat vector (section 2.5)."""
    flat = []
    nl = cfg["backbone_layers"]

    def fill_linear(lin):
        w = rng.uniform(-scale, scale, size=tuple(lin.weight.shape))
        b = rng.uniform(-0.5, 0.5, size=tuple(lin.bias.shape))
        with torch.no_grad():
            lin.weight.copy_(t64(w))
            lin.bias.copy_(t64(b))
        flat.extend(w.ravel().tolist())
        flat.extend(b.ravel().tolist())

    for lin in cfc_linears(cell, nl):
        fill_linear(lin)
    if cfg["mode"] == "pure":
        h = cfg["hidden_size"]
        w_tau = rng.uniform(-1.0, 1.0, size=(1, h))
        a = rng.uniform(-1.5, 1.5, size=(1, h))
        with torch.no_grad():
            cell.w_tau.copy_(t64(w_tau))
            cell.A.copy_(t64(a))
        flat.extend(w_tau.ravel().tolist())
        flat.extend(a.ravel().tolist())
    else:
        for lin in (cell.ff2, cell.time_a, cell.time_b):
            fill_linear(lin)
    for p in cell.parameters():
        assert p.dtype == torch.float64
    return flat


def cfc_cell(cfg):
    return CfCCell(
        cfg["input_size"],
        cfg["hidden_size"],
        mode=cfg["mode"],
        backbone_activation=cfg["backbone_activation"],
        backbone_units=cfg["backbone_units"],
        backbone_layers=cfg["backbone_layers"],
        backbone_dropout=0.0,
    ).eval()


def cfc_param_len(cfg):
    i, h, u, nl = (cfg["input_size"], cfg["hidden_size"], cfg["backbone_units"],
                   cfg["backbone_layers"])
    c = u if nl > 0 else i + h
    n = (u * (i + h) + u + (nl - 1) * (u * u + u)) if nl > 0 else 0
    n += c * h + h
    n += 2 * h if cfg["mode"] == "pure" else 3 * (c * h + h)
    return n


def cfc_step_case(name, cfg, seed, dts, scale=1.0, in_scale=1.0):
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    cell = cfc_cell(cfg)
    params = cfc_set_params(cell, cfg, rng, scale)
    assert len(params) == cfc_param_len(cfg)
    b = len(dts)
    inputs = rng.normal(0.0, in_scale, size=(b, cfg["input_size"]))
    states = rng.uniform(-1.0, 1.0, size=(b, cfg["hidden_size"]))
    outs, news = [], []
    with torch.no_grad():
        for r in range(b):
            y, h = cell(t64(inputs[r:r + 1]), t64(states[r:r + 1]), float(dts[r]))
            outs.append(y[0].numpy().tolist())
            news.append(h[0].numpy().tolist())
    return dict(name=name, kind="cfc", type="step", cfg=cfg, params=params,
                inputs=inputs.tolist(), states=states.tolist(), dts=list(dts),
                outputs=outs, new_states=news)


def cfc_seq_case(name, cfg, seed, dts_rows, scale=1.0):
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    rnn = CfC(cfg["input_size"], cfg["hidden_size"], proj_size=None,
              return_sequences=True, batch_first=True, mixed_memory=False,
              mode=cfg["mode"], activation=cfg["backbone_activation"],
              backbone_units=cfg["backbone_units"],
              backbone_layers=cfg["backbone_layers"],
              backbone_dropout=0.0).eval()
    params = cfc_set_params(rnn.rnn_cell, cfg, rng, scale)
    b, l = len(dts_rows), len(dts_rows[0])
    inputs = rng.normal(0.0, 1.0, size=(b, l, cfg["input_size"]))
    states = rng.uniform(-1.0, 1.0, size=(b, cfg["hidden_size"]))
    outs, fins = [], []
    with torch.no_grad():
        for r in range(b):
            y, h = rnn(t64(inputs[r:r + 1]), t64(states[r:r + 1]),
                       timespans=t64([dts_rows[r]]))
            outs.append(y[0].numpy().tolist())
            fins.append(h[0].numpy().tolist())
    return dict(name=name, kind="cfc", type="sequence", cfg=cfg, params=params,
                inputs=inputs.tolist(), states=states.tolist(),
                dts=[list(d) for d in dts_rows], outputs=outs, new_states=fins)


def cfc_cfg(mode="default", act="lecun_tanh", nl=1, i=3, h=5, u=7):
    return dict(input_size=i, hidden_size=h, mode=mode, backbone_units=u,
                backbone_layers=nl, backbone_activation=act)


# --------------------------------------------------------------------------
# LTC
# --------------------------------------------------------------------------

LTC_NAMES = ["gleak", "vleak", "cm", "sigma", "mu", "w", "erev",
             "sensory_sigma", "sensory_mu", "sensory_w", "sensory_erev",
             "sparsity_mask", "sensory_sparsity_mask"]


def ltc_random_params(cfg, rng, sparse):
    i, n, m = cfg["input_size"], cfg["units"], cfg["motor_size"]
    soft = cfg["positivity"] == "softplus"

    def positive(shape, lo, hi):
        # raw values: for softplus anything (negative included), for the
        # identity the positive init ranges of ncps
        return rng.uniform(-2.0, 2.0, size=shape) if soft else rng.uniform(lo, hi, size=shape)

    p = {}
    p["gleak"] = positive((n,), 0.001, 1.0)
    p["vleak"] = rng.uniform(-0.2, 0.2, size=(n,))
    p["cm"] = positive((n,), 0.4, 0.6)
    p["sigma"] = rng.uniform(3.0, 8.0, size=(n, n))
    p["mu"] = rng.uniform(0.3, 0.8, size=(n, n))
    p["w"] = positive((n, n), 0.001, 1.0)
    p["erev"] = rng.uniform(-1.0, 1.0, size=(n, n))
    p["sensory_sigma"] = rng.uniform(3.0, 8.0, size=(i, n))
    p["sensory_mu"] = rng.uniform(0.3, 0.8, size=(i, n))
    p["sensory_w"] = positive((i, n), 0.001, 1.0)
    p["sensory_erev"] = rng.uniform(-1.0, 1.0, size=(i, n))
    if sparse:
        p["sparsity_mask"] = (rng.uniform(size=(n, n)) < 0.5).astype(np.float64)
        p["sensory_sparsity_mask"] = (rng.uniform(size=(i, n)) < 0.5).astype(np.float64)
    else:
        p["sparsity_mask"] = np.ones((n, n))
        p["sensory_sparsity_mask"] = np.ones((i, n))
    p["input_w"] = rng.uniform(0.5, 1.5, size=(i,))
    p["input_b"] = rng.uniform(-0.3, 0.3, size=(i,))
    p["output_w"] = rng.uniform(0.5, 1.5, size=(m,))
    p["output_b"] = rng.uniform(-0.3, 0.3, size=(m,))
    return p


def ltc_set_params(cell, cfg, p):
    """Load p into an LTCCell; return the flat vector (section 3.4)."""
    flat = []
    with torch.no_grad():
        for k in LTC_NAMES:
            cell._params[k].copy_(t64(p[k]))
            flat.extend(np.asarray(p[k]).ravel().tolist())
        for side, mapping in (("input", cfg["input_mapping"]), ("output", cfg["output_mapping"])):
            wk, bk = side + "_w", side + "_b"
            w, b = p[wk], p[bk]
            if mapping in ("affine", "linear"):
                cell._params[wk].copy_(t64(w))
            else:
                w = np.ones_like(w)
            if mapping == "affine":
                cell._params[bk].copy_(t64(b))
            else:
                b = np.zeros_like(b)
            flat.extend(w.tolist())
            flat.extend(b.tolist())
    for q in cell.parameters():
        assert q.dtype == torch.float64
    return flat


def ltc_param_len(cfg):
    i, n, m = cfg["input_size"], cfg["units"], cfg["motor_size"]
    return 3 * n + 5 * n * n + 5 * i * n + 2 * i + 2 * m


def ltc_cell(cfg):
    wiring = FullyConnected(cfg["units"], output_dim=cfg["motor_size"])
    return LTCCell(wiring, in_features=cfg["input_size"],
                   input_mapping=cfg["input_mapping"],
                   output_mapping=cfg["output_mapping"],
                   ode_unfolds=cfg["ode_unfolds"], epsilon=cfg["epsilon"],
                   implicit_param_constraints=(cfg["positivity"] == "softplus")).eval()


def ltc_step_case(name, cfg, seed, dts, sparse=False):
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    cell = ltc_cell(cfg)
    params = ltc_set_params(cell, cfg, ltc_random_params(cfg, rng, sparse))
    assert len(params) == ltc_param_len(cfg)
    b = len(dts)
    inputs = rng.normal(0.0, 1.0, size=(b, cfg["input_size"]))
    states = rng.uniform(-0.5, 0.5, size=(b, cfg["units"]))
    outs, news = [], []
    with torch.no_grad():
        for r in range(b):
            y, h = cell(t64(inputs[r:r + 1]), t64(states[r:r + 1]), float(dts[r]))
            outs.append(y[0].numpy().tolist())
            news.append(h[0].numpy().tolist())
    return dict(name=name, kind="ltc", type="step", cfg=cfg, params=params,
                inputs=inputs.tolist(), states=states.tolist(), dts=list(dts),
                outputs=outs, new_states=news)


def ltc_seq_case(name, cfg, seed, dts_rows, sparse=False):
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    wiring = FullyConnected(cfg["units"], output_dim=cfg["motor_size"])
    rnn = LTC(cfg["input_size"], wiring, return_sequences=True, batch_first=True,
              mixed_memory=False, input_mapping=cfg["input_mapping"],
              output_mapping=cfg["output_mapping"], ode_unfolds=cfg["ode_unfolds"],
              epsilon=cfg["epsilon"],
              implicit_param_constraints=(cfg["positivity"] == "softplus")).eval()
    params = ltc_set_params(rnn.rnn_cell, cfg, ltc_random_params(cfg, rng, sparse))
    b, l = len(dts_rows), len(dts_rows[0])
    inputs = rng.normal(0.0, 1.0, size=(b, l, cfg["input_size"]))
    states = rng.uniform(-0.5, 0.5, size=(b, cfg["units"]))
    outs, fins = [], []
    with torch.no_grad():
        for r in range(b):
            y, h = rnn(t64(inputs[r:r + 1]), t64(states[r:r + 1]),
                       timespans=t64([dts_rows[r]]))
            outs.append(y[0].numpy().tolist())
            fins.append(h[0].numpy().tolist())
    return dict(name=name, kind="ltc", type="sequence", cfg=cfg, params=params,
                inputs=inputs.tolist(), states=states.tolist(),
                dts=[list(d) for d in dts_rows], outputs=outs, new_states=fins)


def ltc_cfg(pos="softplus", imap="affine", omap="affine", i=3, n=6, m=None,
            unfolds=6, eps=1e-8):
    return dict(input_size=i, units=n, motor_size=n if m is None else m,
                ode_unfolds=unfolds, epsilon=eps, positivity=pos,
                input_mapping=imap, output_mapping=omap)


# --------------------------------------------------------------------------
# The cases
# --------------------------------------------------------------------------

STEP_DTS = [1e-6, 0.37, 1.0, 100.0]


def cases():
    out = []
    seed = 1000
    for mode in ("default", "pure", "no_gate"):
        for nl in (0, 1, 2):
            seed += 1
            out.append(cfc_step_case(f"cfc_{mode}_nl{nl}", cfc_cfg(mode=mode, nl=nl), seed,
                                     STEP_DTS + [0.0]))
    for act in ("lecun_tanh", "tanh", "relu", "silu", "gelu"):
        for mode in ("default", "pure"):
            seed += 1
            out.append(cfc_step_case(f"cfc_{mode}_{act}_nl2", cfc_cfg(mode=mode, act=act, nl=2),
                                     seed, STEP_DTS, scale=1.5, in_scale=2.0))
    seed += 1
    out.append(cfc_step_case("cfc_default_gelu_wide_inputs",
                             cfc_cfg(act="gelu", nl=1, i=4, h=8, u=16), seed,
                             [0.01, 3.0], scale=1.0, in_scale=6.0))
    seed += 1
    out.append(cfc_step_case("cfc_no_gate_i1_h1_u1", cfc_cfg(mode="no_gate", i=1, h=1, u=1),
                             seed, [0.5, 2.0]))
    seed += 1
    out.append(cfc_seq_case("cfc_seq_default", cfc_cfg(), seed,
                            [[0.1, 1.0, 1e-6, 50.0, 0.5], [2.0, 0.25, 1.0, 1.0, 7.0]]))
    seed += 1
    out.append(cfc_seq_case("cfc_seq_pure_relu", cfc_cfg(mode="pure", act="relu", nl=2), seed,
                            [[1.0, 0.3, 3.0, 1e-5], [100.0, 0.01, 1.0, 1.0]]))
    seed += 1
    out.append(cfc_seq_case("cfc_seq_no_gate_nl0", cfc_cfg(mode="no_gate", nl=0), seed,
                            [[0.5, 0.5, 0.5], [1.5, 1e-6, 20.0]]))

    for pos in ("softplus", "identity"):
        for imap, omap in (("affine", "affine"), ("linear", "none"), ("none", "linear")):
            for sparse in (False, True):
                seed += 1
                tag = "sparse" if sparse else "dense"
                out.append(ltc_step_case(f"ltc_{pos}_{imap}_{omap}_{tag}",
                                         ltc_cfg(pos=pos, imap=imap, omap=omap), seed,
                                         STEP_DTS, sparse=sparse))
    seed += 1
    out.append(ltc_step_case("ltc_softplus_motor2_unfolds3_eps1e-3",
                             ltc_cfg(m=2, unfolds=3, eps=1e-3), seed, [1e-6, 0.5, 100.0],
                             sparse=True))
    seed += 1
    out.append(ltc_step_case("ltc_identity_motor1_unfolds1",
                             ltc_cfg(pos="identity", m=1, unfolds=1, i=2, n=4), seed,
                             [0.05, 1.0, 1000.0]))
    seed += 1
    out.append(ltc_step_case("ltc_i1_n1", ltc_cfg(i=1, n=1), seed, [1e-3, 1.0]))
    seed += 1
    out.append(ltc_seq_case("ltc_seq_softplus_sparse", ltc_cfg(m=3), seed,
                            [[0.1, 1.0, 1e-6, 50.0, 0.5], [2.0, 0.25, 1.0, 1.0, 7.0]],
                            sparse=True))
    seed += 1
    out.append(ltc_seq_case("ltc_seq_identity", ltc_cfg(pos="identity", imap="linear"), seed,
                            [[1.0, 1.0, 1.0], [0.3, 3.0, 30.0]]))
    return out


# --------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------

def flat(x):
    if isinstance(x, (list, tuple)):
        for y in x:
            yield from flat(y)
    else:
        yield float(x)


def txt_float(v):
    return repr(float(v))


def erl_float(v):
    s = repr(float(v))
    if "inf" in s or "nan" in s:
        raise ValueError(s)
    mant, _, exp = s.partition("e")
    if "." not in mant:
        mant += ".0"
    return mant + ("e" + exp if exp else "")


def erl_term(x):
    if isinstance(x, (list, tuple)):
        return "[" + ",".join(erl_term(y) for y in x) + "]"
    if isinstance(x, bool):
        raise TypeError(x)
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        return erl_float(x)
    if isinstance(x, str):
        return x  # atoms: all our strings are plain lowercase atoms
    raise TypeError(type(x))


def write_txt(cs, path):
    lines = ["# CfC/LTC reference vectors from ncps (torch, float64); generated by",
             "# native/tweann_core/tests/gen_vectors.py -- do not edit."]
    for c in cs:
        lines.append(f"case {c['name']}")
        lines.append(f"kind {c['kind']}")
        lines.append(f"type {c['type']}")
        lines.append("cfg " + " ".join(f"{k}={v!r}" if isinstance(v, float) else f"{k}={v}"
                                         for k, v in c["cfg"].items()))
        b = len(c["inputs"])
        lines.append(f"batch {b}")
        if c["type"] == "sequence":
            lines.append(f"len {len(c['inputs'][0])}")
        for key in ("params", "inputs", "states", "dts", "outputs", "new_states"):
            vals = list(flat(c[key]))
            lines.append(f"{key} {len(vals)} " + " ".join(txt_float(v) for v in vals))
        lines.append("end")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def write_eterm(cs, path):
    out = ["%% CfC/LTC reference vectors from ncps (torch, float64); generated by",
           "%% native/tweann_core/tests/gen_vectors.py -- do not edit.",
           "%% {Name, Kind, Type, Config, Params, Inputs, States, Dts, Outputs, NewStates}."]
    for c in cs:
        cfg = ", ".join(f"{k} => {erl_term(v)}" for k, v in c["cfg"].items())
        fields = [f"<<\"{c['name']}\">>", c["kind"], c["type"], "#{" + cfg + "}"]
        fields += [erl_term(c[k]) for k in ("params", "inputs", "states", "dts",
                                            "outputs", "new_states")]
        out.append("{" + ",\n ".join(fields) + "}.")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    cs = cases()
    os.makedirs(os.path.dirname(TXT), exist_ok=True)
    write_txt(cs, TXT)
    write_eterm(cs, ETERM)
    print(f"{len(cs)} cases -> {TXT}, {ETERM}", file=sys.stderr)


if __name__ == "__main__":
    main()
