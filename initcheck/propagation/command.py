"""``initcheck propagate``: the command line of :func:`initcheck.propagation.propagate`.

``add_parser(subparsers)`` adds the subcommand to ``initcheck``'s parser and
``run(args)`` runs it, returning the exit code: 0 the expectation holds, 1 it
does not, 2 a usage error (raised as :class:`~initcheck.errors.UsageError`,
which ``initcheck.cli.main`` prints as one line).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..errors import UsageError
from ..options import number_type, shape_type
from ..progress import Progress
from .api import DEFAULT_BATCH, DEFAULT_TRIALS, propagate
from .expect import DEFAULT_EXPECTATION
from .report import DEFAULT_ALPHA
from .text import render

__all__ = ["add_parser", "run"]

EXIT_OK, EXIT_FAIL = 0, 1

_DESCRIPTION = """\
Measure, over many independent initializations, the mean square of every layer's
pre-activations and back-propagated gradients (and weight gradients), with intervals;
put the mean-field theory beside them (reference MLP), and judge a declared expectation.

TARGET is module:factory, a zero-argument callable returning a torch.nn.Module (each trial
calls it under torch.manual_seed, so the model's own code initializes it) or a
flax.linen.Module (initialized by module.init with each trial's key); give one example's
shape with --input-shape. Without TARGET, the reference MLP of --widths, --activation and
--init is measured."""

_EPILOG = """\
examples:
  initcheck propagate --widths 784,256x50,10 --activation relu --init he_normal --plot relu.png
  initcheck propagate --widths 784,256x50,10 --activation sigmoid --init xavier_normal
  initcheck propagate --widths 784,256x20,10 --init mxnet_default --expect within=2 --json
  initcheck propagate --widths 1024x12 --activation tanh --init 'normal(std=0.0415)' --bias 'normal(std=0.2236)'
  initcheck propagate mymodels:make_cnn --input-shape 3x32x32 --batch 32 --plot cnn.png

expectations (hidden layers; --expect):
  within=K           every layer's mean square within [1/K, K] of the first hidden layer's
  factor=F[,tol=T]   every per-layer factor within [F/T, F*T] (T defaults to 1.1)
  ...,direction=forward|backward   one pass only

exit status: 0 the expectation holds, 1 it does not, 2 usage error"""


def _positive_int(name: str, minimum: int = 1) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name}={text!r}: expected an integer >= {minimum}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{name}={text!r}: expected an integer >= {minimum}")
        return value

    return parse


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``propagate`` subcommand (with its options) to ``subparsers``; return its parser."""
    p = subparsers.add_parser(
        "propagate",
        help="measure forward and backward signal size across a network's depth",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=_DESCRIPTION,
        epilog=_EPILOG,
    )
    p.add_argument(
        "target",
        nargs="?",
        metavar="TARGET",
        help="module:factory of a torch.nn.Module or flax.linen.Module (optional)",
    )
    net = p.add_argument_group("reference MLP (without TARGET)")
    net.add_argument(
        "--widths", metavar="W", help="input, hidden and output widths, e.g. 784,256x50,10 (NxK: K layers of width N)"
    )
    net.add_argument(
        "--activation",
        default="relu",
        help="hidden activation: identity, relu, leaky_relu, tanh, sigmoid (default relu)",
    )
    net.add_argument(
        "--init",
        default="he_normal",
        metavar="LAW",
        help="weights' law, as in 'initcheck laws': "
        "he_normal, xavier_normal, normal(std=0.01), mxnet_default, orthogonal, lecun_normal, ... "
        "(default he_normal)",
    )
    net.add_argument("--bias", default="zeros", metavar="LAW", help="biases' law (default zeros)")
    model = p.add_argument_group("model (with TARGET)")
    model.add_argument(
        "--input-shape",
        type=shape_type("input-shape", "3x32x32 or 784"),
        metavar="AxB...",
        help="one example's shape, e.g. 3x32x32",
    )
    model.add_argument("--eval", action="store_true", help="run a PyTorch model in eval mode (default: train mode)")
    model.add_argument("--dtype", choices=("float32", "float64"), help="convert a PyTorch model to this dtype")
    p.add_argument(
        "--input",
        default="normal",
        help="inputs' zero-mean law: normal, uniform, rademacher, student_t (default normal)",
    )
    p.add_argument("--input-std", type=number_type("input-std"), default=1.0, help="inputs' std (default 1)")
    p.add_argument(
        "--trials",
        type=_positive_int("trials", 2),
        default=DEFAULT_TRIALS,
        help=f"independent initializations (default {DEFAULT_TRIALS})",
    )
    p.add_argument(
        "--batch",
        type=_positive_int("batch"),
        default=DEFAULT_BATCH,
        help=f"inputs per initialization (default {DEFAULT_BATCH})",
    )
    p.add_argument("--seed", type=_positive_int("seed", 0), default=0, help="seed of every draw (default 0)")
    p.add_argument(
        "--expect",
        default=DEFAULT_EXPECTATION,
        metavar="EXPECTATION",
        help=f"within=K or factor=F[,tol=T][,direction=D] (default {DEFAULT_EXPECTATION})",
    )
    p.add_argument(
        "--alpha",
        type=number_type("alpha"),
        default=DEFAULT_ALPHA,
        help=f"family-wise false-alarm probability of the verdict (default {DEFAULT_ALPHA:g})",
    )
    p.add_argument("--plot", metavar="FILE", help="write a plot of both passes across depth (PNG)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``initcheck propagate`` with parsed ``args``; return the exit code (0 holds, 1 fails).

    Raises:
        UsageError: for every usage or input error (exit code 2 in ``initcheck.cli.main``).
    """
    if args.target is None and args.widths is None:
        raise UsageError("give --widths for the reference MLP, or a TARGET module:factory with --input-shape")
    if args.target is not None:
        if args.widths is not None:
            raise UsageError("give either TARGET or --widths, not both")
        if args.input_shape is None:
            raise UsageError(f"target={args.target!r}: --input-shape is required for a model, e.g. 3x32x32")
        given = [
            opt
            for opt, value, default in (
                ("--activation", args.activation, "relu"),
                ("--init", args.init, "he_normal"),
                ("--bias", args.bias, "zeros"),
            )
            if value != default
        ]
        if given:
            raise UsageError(f"{', '.join(given)} describe the reference MLP; a model initializes itself")
    elif args.input_shape is not None or args.eval or args.dtype is not None:
        raise UsageError("--input-shape, --eval and --dtype are for a model TARGET, not for --widths")
    if args.plot:
        from .plot import require_matplotlib

        require_matplotlib()  # fail before measuring, not after
    with Progress(args.trials, "propagate") as bar:
        if args.json:
            bar.enabled = False

        def progress(done: int, total: int) -> None:
            bar.advance()
            bar.step(f"trial {done}")

        report = propagate(
            args.target,
            widths=args.widths,
            activation=args.activation,
            init=args.init,
            bias=args.bias,
            input=args.input,
            input_std=args.input_std,
            input_shape=args.input_shape,
            trials=args.trials,
            batch=args.batch,
            seed=args.seed,
            expect=args.expect,
            alpha=args.alpha,
            train=not args.eval,
            dtype=args.dtype,
            progress=progress,
        )
    if args.plot:
        from .plot import save_plot

        save_plot(report, args.plot)
    if args.json:
        data = report.to_dict()
        if args.plot:
            data["plot"] = args.plot
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(render(report, plot=args.plot))
    return EXIT_OK if report.passed else EXIT_FAIL
