"""In-memory rewrites of a Piper (VITS) ONNX graph: seeded noise, durations linear in length_scale.

Seeded noise: Piper's models draw their noise with ``RandomNormalLike`` nodes, whose generator is
seeded once per session and then advances, so the bytes of an utterance would depend on what the
process rendered before. Each such node becomes a slice of an extra model input that the engine
fills from the item's seed.

Linear durations: VITS turns the duration predictor's output ``w`` (frames per phoneme id) into
whole frames as ``ceil(w * length_scale)``. Most ids (the pads between phonemes, short consonants)
predict less than one frame, and ceil keeps them at one frame whatever the scale, so the utterance
length moved with length_scale^0.6 (joe: 1/0.8 gave 1.15× the length, not 1.25×). The rewrite
takes the voice's own whole-frame durations ``ceil(w)`` and stretches their running sum:
``round(cumsum(ceil(w)) * length_scale)``, differenced back into per-id frames. At length_scale 1
this is exactly ``ceil(w)`` (the same bytes as before); at any other scale the utterance is that
many times as long, every phoneme stretched alike, so the rate factor we record is the realized one.

Word times: piper's own ``add_alignment_output`` (needs the ``onnx`` package) exposes the
per-id frame counts as a second output; the rewrite keeps that tensor's name, so the alignment
reports the stretched durations that the decoder really used.
"""

from __future__ import annotations

from pathlib import Path

from synth.engines.base import EngineError

_NOISE_PREFIX = "speechforge_noise_"
_DURATION_PREFIX = "speechforge_duration_"


def _producers(graph) -> dict:
    return {out: node for node in graph.node for out in node.output}


def _feeds_from(name: str, source: str, producers: dict, depth: int = 4) -> bool:
    """Whether tensor `name` is computed from graph input `source` within `depth` nodes."""
    if name == source:
        return True
    node = producers.get(name)
    if node is None or depth == 0:
        return False
    return any(_feeds_from(i, source, producers, depth - 1) for i in node.input)


def make_durations_linear(model, model_path: Path) -> None:
    """Replace ``ceil(w * length_scale)`` by stretched whole-frame durations (see the module doc); in place.

    :param model: the loaded onnx.ModelProto of a Piper voice (modified in place)
    :param model_path: the model's file, named in errors
    """
    from onnx import TensorProto, helper

    graph = model.graph
    producers = _producers(graph)
    ceils = [n for n in graph.node if n.op_type == "Ceil"]
    scaled = producers.get(ceils[0].input[0]) if len(ceils) == 1 else None
    if scaled is None or scaled.op_type != "Mul":
        raise EngineError(
            f"{model_path}: no single ceil(w * length_scale) node found; this is not a Piper VITS export "
            "whose speaking rate can be set exactly"
        )
    scale_side = [i for i in scaled.input if _feeds_from(i, "scales", producers)]
    if len(scale_side) != 1:
        raise EngineError(f"{model_path}: the duration scaling does not read the 'scales' input once")
    length_scale = scale_side[0]
    widths = next(i for i in scaled.input if i != length_scale)
    out = ceils[0].output[0]  # kept: the decoder and the alignment output read this tensor
    p = _DURATION_PREFIX
    graph.initializer.append(helper.make_tensor(p + "axis", TensorProto.INT64, [], [-1]))
    replacement = [
        helper.make_node("Ceil", [widths], [p + "frames"]),
        helper.make_node("CumSum", [p + "frames", p + "axis"], [p + "ends"]),
        helper.make_node("CumSum", [p + "frames", p + "axis"], [p + "starts"], exclusive=1),
        helper.make_node("Mul", [p + "ends", length_scale], [p + "ends_scaled"]),
        helper.make_node("Mul", [p + "starts", length_scale], [p + "starts_scaled"]),
        helper.make_node("Round", [p + "ends_scaled"], [p + "ends_round"]),
        helper.make_node("Round", [p + "starts_scaled"], [p + "starts_round"]),
        helper.make_node("Sub", [p + "ends_round", p + "starts_round"], [out]),
    ]
    # The old w * length_scale product stays (nothing reads it any more; it costs one small Mul).
    nodes = []
    for node in graph.node:
        nodes += replacement if node is ceils[0] else [node]
    del graph.node[:]
    graph.node.extend(nodes)


def seed_noise(model, model_path: Path) -> list[str]:
    """Feed each RandomNormalLike node from a new float input; in place. Returns the new inputs' names.

    :param model: the loaded onnx.ModelProto (modified in place)
    :param model_path: the model's file, named in errors
    """
    from onnx import TensorProto, helper

    graph = model.graph
    random_ops = {
        n.op_type for n in graph.node if n.op_type.startswith("Random") or n.op_type in ("Multinomial", "Bernoulli")
    }
    if random_ops - {"RandomNormalLike"}:
        raise EngineError(f"{model_path}: random operators {sorted(random_ops)} cannot be seeded per utterance")
    new_nodes, noise_inputs = [], []
    for node in graph.node:
        if node.op_type != "RandomNormalLike":
            new_nodes.append(node)
            continue
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if attrs.get("dtype", TensorProto.FLOAT) != TensorProto.FLOAT:
            raise EngineError(f"{model_path}: RandomNormalLike with dtype {attrs['dtype']} is not supported")
        k = len(noise_inputs)
        name = f"{_NOISE_PREFIX}{k}"
        noise_inputs.append(name)
        graph.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [f"noise_len_{k}"]))
        p = f"{name}_"
        shape, numel, flat, out = p + "shape", p + "numel", p + "flat", node.output[0]
        graph.initializer.append(helper.make_tensor(p + "zero", TensorProto.INT64, [1], [0]))
        new_nodes += [
            helper.make_node("Shape", [node.input[0]], [shape]),
            helper.make_node("ReduceProd", [shape], [numel], keepdims=1),
            helper.make_node("Slice", [name, p + "zero", numel], [flat]),
        ]
        mean, scale = float(attrs.get("mean", 0.0)), float(attrs.get("scale", 1.0))
        if mean == 0.0 and scale == 1.0:
            new_nodes.append(helper.make_node("Reshape", [flat, shape], [out]))
        else:
            graph.initializer.append(helper.make_tensor(p + "scale", TensorProto.FLOAT, [], [scale]))
            graph.initializer.append(helper.make_tensor(p + "mean", TensorProto.FLOAT, [], [mean]))
            new_nodes += [
                helper.make_node("Reshape", [flat, shape], [p + "shaped"]),
                helper.make_node("Mul", [p + "shaped", p + "scale"], [p + "scaled"]),
                helper.make_node("Add", [p + "scaled", p + "mean"], [out]),
            ]
    del graph.node[:]
    graph.node.extend(new_nodes)
    return noise_inputs


def deterministic_model(model_path: Path, with_alignment: bool = True) -> tuple[bytes, list[str], str | None]:
    """The voice's model, rewritten; returns (serialized model, noise input names, alignment output or None).

    :param model_path: the voice's .onnx file
    :param with_alignment: also expose the per-phoneme-id frame counts as an output (for word times)
    """
    import onnx

    model = onnx.load(str(model_path))
    alignment = None
    if with_alignment:
        from piper.patch_voice_with_alignment import add_alignment_output

        try:
            alignment = add_alignment_output(model)
        except ValueError as exc:
            if "already" in str(exc):  # a model patched on disk exposes it already
                alignment = next((o.name for o in model.graph.output[1:]), None)
    make_durations_linear(model, model_path)
    noise_inputs = seed_noise(model, model_path)
    return model.SerializeToString(), noise_inputs, alignment
