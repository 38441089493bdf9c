"""The image ops of core/ops_image.h from Python (engram.ops.conv2d, pooling): a convolution
against a direct numpy sum, the global pool against numpy's mean, bad shapes as ValueError."""

import numpy as np
import pytest

import engram


def test_image_ops_from_python_match_a_direct_convolution_and_reject_bad_shapes():
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, (2, 2 * 4 * 5)).astype(np.float32)
    w = rng.uniform(-1, 1, (3, 2 * 3 * 3)).astype(np.float32)
    y = engram.ops.conv2d(x, (2, 4, 5), w, kernel=(3, 3), padding=1).value.reshape(2, 3, 4, 5)
    xi = np.pad(x.reshape(2, 2, 4, 5), ((0, 0), (0, 0), (1, 1), (1, 1)))
    want = np.zeros((2, 3, 4, 5), np.float32)
    for i in range(3):
        for j in range(3):
            want += np.einsum("nchw,oc->nohw", xi[:, :, i:i + 4, j:j + 5], w.reshape(3, 2, 3, 3)[:, :, i, j])
    np.testing.assert_allclose(y, want, atol=1e-5)
    pooled = engram.ops.global_avg_pool(x, (2, 4, 5)).value
    np.testing.assert_allclose(pooled, x.reshape(2, 2, 20).mean(axis=2), atol=1e-6)
    for bad in [lambda: engram.ops.conv2d(x, (2, 4, 4), w), lambda: engram.ops.conv2d(x, (0, 4, 5), w),
                lambda: engram.ops.max_pool2d(x, (2, 4, 5), kernel=7), lambda: engram.ops.conv2d(x, (2, 4, 5), w, groups=3),
                lambda: engram.ops.conv2d(x, (2**40, 2**40, 1), w), lambda: engram.ops.avg_pool2d(x, (2, 4, 5), stride=0)]:
        with pytest.raises(ValueError):
            bad()


def test_bilinear_sampling_and_group_norm_from_python():
    rng = np.random.default_rng(4)
    x = rng.uniform(-1, 1, (2, 3 * 4 * 5)).astype(np.float32)
    # pixel centres read back the pixels: (col 1, row 2) and (col 4, row 0) of each channel
    grid = np.array([[-1 + 2 * 1 / 4, -1 + 2 * 2 / 3, 1.0, -1.0]] * 2, np.float32)
    y = engram.ops.bilinear_sample(x, (3, 4, 5), grid).value.reshape(2, 3, 2)
    img = x.reshape(2, 3, 4, 5)
    np.testing.assert_allclose(y[:, :, 0], img[:, :, 2, 1], atol=1e-6)
    np.testing.assert_allclose(y[:, :, 1], img[:, :, 0, 4], atol=1e-6)
    g = engram.ops.group_norm(x, (3, 4, 5), 3, np.ones((1, 3), np.float32), np.zeros((1, 3), np.float32)).value
    per_channel = g.reshape(2, 3, 20)
    np.testing.assert_allclose(per_channel.mean(axis=2), 0, atol=1e-5)
    np.testing.assert_allclose(per_channel.var(axis=2), 1, atol=1e-3)
    s = rng.uniform(-1, 1, (2, 6)).astype(np.float32)
    w = np.array([[0.5, -1.0, 2.0]], np.float32)
    padded = np.pad(s, ((0, 0), (1, 1)))
    np.testing.assert_allclose(engram.ops.conv1d_channels(s, w).value,
                               0.5 * padded[:, :6] - padded[:, 1:7] + 2 * padded[:, 2:8], atol=1e-6)
    for bad in [lambda: engram.ops.bilinear_sample(x, (3, 4, 5), grid[:, :3]),
                lambda: engram.ops.conv1d_channels(s, np.ones((1, 2), np.float32)),
                lambda: engram.ops.bilinear_sample(x, (3, 4, 5), np.full((2, 2), np.nan, np.float32)),
                lambda: engram.ops.group_norm(x, (3, 4, 5), 2, np.ones((1, 3), np.float32), np.zeros((1, 3), np.float32))]:
        with pytest.raises(ValueError):
            bad()
