"""dlviz.convolution against torch: output sizes, conv2d in every padding mode, pooling and the
max-pool gradient, the layer table, the kernel presets and the grid parser."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from dlviz.convolution import (
    ConvSpec,
    PoolSpec,
    convolve,
    kernel_preset,
    layer_table,
    output_size,
    parse_grid,
    pool,
    skipped_pixels,
    spec_problem,
)
from dlviz.convolution.kernels import KERNEL_NAMES, format_grid

FAST = settings(max_examples=60, deadline=None)


@FAST
@given(
    n=st.integers(1, 12),
    k=st.integers(1, 6),
    s=st.integers(1, 4),
    p=st.integers(0, 4),
    d=st.integers(1, 3),
)
def test_output_size_equals_torch_or_names_the_refusal(n, k, s, p, d):
    x = torch.zeros(1, 1, n, n)
    w = torch.zeros(1, 1, k, k)
    try:
        expected = F.conv2d(x, w, stride=s, padding=p, dilation=d).shape[-1]
    except RuntimeError:
        with pytest.raises(ValueError, match="does not fit"):
            output_size(n, k, s, p, d)
        return
    assert output_size(n, k, s, p, d) == expected


@pytest.mark.parametrize(
    ("args", "word"),
    [
        ((0, 3), "input size"),
        ((5, 0), "kernel size"),
        ((5, 3, 0), "stride"),
        ((5, 3, 1, -1), "padding"),
        ((5, 3, 1, 0, 0), "dilation"),
    ],
)
def test_output_size_refuses_impossible_settings_in_words(args, word):
    with pytest.raises(ValueError, match=word):
        output_size(*args)


@FAST
@given(
    c=st.integers(1, 3),
    o=st.integers(1, 3),
    n=st.integers(3, 10),
    k=st.integers(1, 4),
    s=st.integers(1, 3),
    p=st.integers(0, 3),
    d=st.integers(1, 3),
    mode=st.sampled_from(["zeros", "reflect", "replicate"]),
    seed=st.integers(0, 2**16),
)
def test_convolve_equals_nn_conv2d_in_every_padding_mode(c, o, n, k, s, p, d, mode, seed):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(c, n, n + 1, generator=gen)
    spec = ConvSpec(k, s, p, mode, d)
    conv = nn.Conv2d(c, o, k, stride=s, padding=p, dilation=d, padding_mode=mode)
    with torch.no_grad():
        conv.weight.copy_(torch.randn(o, c, k, k, generator=gen))
        conv.bias.copy_(torch.randn(o, generator=gen))
    try:
        expected = conv(x[None])[0].detach()
    except (RuntimeError, NotImplementedError):
        assert spec_problem(spec, n, n + 1) is not None
        with pytest.raises(ValueError):
            convolve(x, conv.weight.detach(), conv.bias.detach(), spec)
        return
    assert spec_problem(spec, n, n + 1) is None
    result = convolve(x, conv.weight.detach(), conv.bias.detach(), spec)
    torch.testing.assert_close(result.output, expected, rtol=1e-5, atol=1e-5)
    for ch in range(o):  # the products the page lists add up to torch's numbers
        torch.testing.assert_close(result.sums(ch), expected[ch], rtol=1e-4, atol=1e-4)


def test_a_window_lists_the_pixels_under_its_taps():
    x = torch.arange(36.0).reshape(1, 6, 6)
    result = convolve(x, torch.ones(3, 3), 0.5, ConvSpec(3, 2, 1, "zeros", 1))
    r, c = result.origin(1, 2)
    torch.testing.assert_close(
        result.windows[0, :, :, 1, 2], result.padded[0, r : r + 3, c : c + 3]
    )
    assert result.sums()[1, 2] == result.windows[0, :, :, 1, 2].sum() + 0.5


def test_dilated_windows_skip_between_taps():
    x = torch.arange(49.0).reshape(1, 7, 7)
    result = convolve(x, torch.ones(3, 3), 0.0, ConvSpec(3, 1, 0, "zeros", 2))
    torch.testing.assert_close(result.windows[0, :, :, 0, 0], x[0, 0:5:2, 0:5:2])


def test_reflect_padding_wider_than_the_image_is_named():
    message = spec_problem(ConvSpec(3, 1, 5, "reflect", 1), 4, 4)
    assert message and "Reflect" in message


@FAST
@given(n=st.integers(1, 12), k=st.integers(1, 5), s=st.integers(1, 5), p=st.integers(0, 2))
def test_skipped_pixels_are_exactly_those_no_output_depends_on(n, k, s, p):
    spec = ConvSpec(k, s, p)
    if spec_problem(spec, n, n):
        return
    x = torch.zeros(1, 1, n, n, requires_grad=True)
    F.conv2d(x, torch.ones(1, 1, k, k), stride=s, padding=p).sum().backward()
    unused = [i for i in range(n) if x.grad[0, 0, :, i].abs().sum() == 0]
    assert skipped_pixels(n, spec) == unused


@FAST
@given(
    c=st.integers(1, 3),
    n=st.integers(2, 10),
    w=st.integers(1, 4),
    s=st.integers(1, 4),
    kind=st.sampled_from(["max", "avg"]),
    seed=st.integers(0, 2**16),
)
def test_pooling_and_its_gradient_equal_torch(c, n, w, s, kind, seed):
    if w > n:
        return
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(c, n, n, generator=gen, requires_grad=True)
    up = torch.rand(c, (n - w) // s + 1, (n - w) // s + 1, generator=gen)
    op = F.max_pool2d if kind == "max" else F.avg_pool2d
    expected = op(x[None], w, s)[0]
    expected.backward(up)
    result = pool(x.detach(), PoolSpec(kind, w, s), up)
    torch.testing.assert_close(result.output, expected.detach())
    torch.testing.assert_close(result.grad, x.grad, rtol=1e-5, atol=1e-6)


def test_max_pooling_sends_the_gradient_only_to_each_maximum():
    x = torch.tensor([[1.0, 3.0, 0.0, 0.0], [2.0, 0.0, 5.0, 4.0], [0, 0, 0, 0], [0, 9.0, 0, 0]])
    result = pool(x, PoolSpec("max", 2, 2))
    assert result.output.tolist() == [[[3.0, 5.0], [9.0, 0.0]]]
    assert result.grad[0, 0, 1] == 1 and result.grad[0, 1, 2] == 1 and result.grad[0, 3, 1] == 1
    assert result.grad.sum() == 4


@pytest.mark.parametrize(
    ("preset", "shape"), [("seed-cnn", (1, 28, 28)), ("seed-cifar-cnn", (3, 32, 32))]
)
def test_layer_table_matches_the_real_modules(preset, shape):
    from torch.utils.flop_counter import FlopCounterMode

    from dlviz.training.models import build_model

    torch.manual_seed(0)
    model = build_model(preset, shape, 10).eval()
    table = layer_table(model, shape)
    x = torch.zeros(1, *shape)
    for row in table.itertuples():
        module = dict(model.named_modules())[row.layer]
        assert row.parameters == sum(p.numel() for p in module.parameters())
    with torch.no_grad():
        for name, module in model.named_children():
            with FlopCounterMode(display=False) as counter:
                y = module(x)
            row = table[table.layer == name].iloc[0]
            assert row.output_shape == tuple(y.shape[1:]), name
            assert 2 * row.mult_adds == counter.get_total_flops(), name
            x = y
    assert table.parameters.sum() == sum(p.numel() for p in model.parameters())


def test_receptive_field_grows_with_kernels_strides_and_pooling():
    table = layer_table("seed-cifar-cnn", (3, 32, 32)).set_index("layer")
    # 3 -> +2 (stride 1) = 5 -> +2*2 (after stride 2) = 9 -> +2*2 = 13
    assert [table.loc[f"conv{i}", "receptive_field"] for i in range(1, 5)] == [3, 5, 9, 13]
    seed = layer_table("seed-cnn", (1, 28, 28)).set_index("layer")
    assert seed.loc["conv1", "receptive_field"] == 3 and seed.loc["pool1", "receptive_field"] == 4


@pytest.mark.parametrize("name", list(KERNEL_NAMES))
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 7])
def test_kernel_presets_have_the_size_asked_for(name, k):
    kernel = kernel_preset(name, k)
    assert kernel.shape == (k, k) and torch.isfinite(kernel).all()
    if name in ("box", "gaussian"):
        assert kernel.sum().item() == pytest.approx(1.0)


def test_textbook_kernels_at_size_three():
    assert kernel_preset("sobel_x").tolist() == [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    assert kernel_preset("sobel_y").tolist() == [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]
    assert kernel_preset("laplacian").tolist() == [[0, 1, 0], [1, -4, 1], [0, 1, 0]]
    assert kernel_preset("sharpen").sum() == 1
    assert kernel_preset("sobel_x", 5)[2].tolist() == [-6, -12, 0, 12, 6]


def test_parse_grid_reads_numbers_and_round_trips():
    grid = parse_grid("1 2, 3\n-0.5 2.5e-1 4\n\n")
    assert grid.tolist() == [[1, 2, 3], [-0.5, 0.25, 4]]
    assert parse_grid(format_grid(kernel_preset("gaussian", 5)), 5, 5).shape == (5, 5)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("1 2\n3 x", "not a number"),
        ("1 nan\n1 2", "not a number"),
        ("1 1e9\n1 2", "too large"),
        ("1 2\n3", "different lengths"),
        ("", "empty"),
        ("1 2\n3 4", "3x3 is needed"),
    ],
)
def test_parse_grid_says_what_is_wrong(text, word):
    with pytest.raises(ValueError, match=word):
        parse_grid(text, 3, 3)


def test_trained_stages_best_patch_and_top_images_agree_with_the_model():
    from dlviz.convolution.trained import best_patch, first_conv, stages, top_images
    from dlviz.training.models import build_model

    torch.manual_seed(1)
    model = build_model("seed-cnn", (1, 8, 8), 10).eval()
    x = torch.randn(1, 8, 8)
    found, probs = stages(model, x)
    assert [s.name for s in found] == ["conv1", "pool1", "act1", "fc1", "act_fc1", "out"]
    with torch.no_grad():
        torch.testing.assert_close(probs, torch.softmax(model(x[None])[0], 0))
        torch.testing.assert_close(found[0].values, model.conv1(x[None])[0])
    name, conv = first_conv(model)
    (r, c), patch = best_patch(conv, x, found[0].values, 4)
    value = (patch * conv.weight[4].detach()).sum() + conv.bias[4].detach()
    assert float(found[0].values[4].max()) == pytest.approx(float(value), abs=1e-5)
    assert float(found[0].values[4, r, c]) == pytest.approx(float(value), abs=1e-5)
    images = torch.randn(20, 1, 8, 8)
    idx, peaks = top_images(model, "conv1", images, 4, count=5)
    with torch.no_grad():
        expected = model.conv1(images)[:, 4].flatten(1).amax(1)
    torch.testing.assert_close(peaks, expected.sort(descending=True).values[:5])
    assert model.training is False and idx.shape == (5,)


@pytest.mark.parametrize(
    ("preset", "shape"), [("seed-cnn", (1, 28, 28)), ("seed-cifar-cnn", (3, 32, 32))]
)
def test_receptive_box_holds_every_pixel_an_output_depends_on(preset, shape):
    from dlviz.convolution.trained import receptive_box
    from dlviz.training.models import build_model

    torch.manual_seed(0)
    model = build_model(preset, shape, 10).eval()
    layers = [
        n
        for n in dict(model.named_children())
        if n[:4] in ("conv", "pool", "act1", "act2", "act3", "act4")
    ]
    for layer in layers:
        x = torch.randn(1, *shape, requires_grad=True)
        out = x
        for name, module in model.named_children():
            out = module(out)
            if name == layer:
                break
        rows, cols = out.shape[-2:]
        for r, c in ((0, 0), (rows // 2, cols // 3), (rows - 1, cols - 1)):
            x.grad = None
            out[0, :, r, c].sum().backward(retain_graph=True)
            used = x.grad[0].abs().sum(0).nonzero()
            top, bottom, left, right = receptive_box(model, layer, r, c, shape[-2:])
            assert used[:, 0].min() >= top and used[:, 0].max() <= bottom, (layer, r, c)
            assert used[:, 1].min() >= left and used[:, 1].max() <= right, (layer, r, c)
