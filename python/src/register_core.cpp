// engram/python/src/register_core.cpp — the differentiable core in Python: Var and its ops,
// no_grad, Rng, Options, Module.
#include "core/init.h"
#include "core/module.h"
#include "core/ops.h"
#include "core/ops_image.h"
#include "core/options.h"
#include "core/rng.h"
#include "python/src/bindings.h"
#include "python/src/numpy.h"

#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <tuple>

namespace engram::python {

using V = Var<float>;

Options to_options(py::handle obj, const std::string& what) {
  if (obj.is_none()) return {};
  if (py::isinstance<Options>(obj)) return obj.cast<Options>();
  if (!py::isinstance<py::dict>(obj))
    throw py::type_error(what + ": expected a dict of options, got " + describe(obj));
  Options o;
  for (auto [k, v] : py::reinterpret_borrow<py::dict>(obj)) {
    if (!py::isinstance<py::str>(k)) throw py::type_error(what + ": option names must be str, got " + describe(k));
    const std::string key = k.cast<std::string>();
    if (py::isinstance<py::bool_>(v)) o.set(key, v.cast<bool>() ? "true" : "false");
    else if (py::isinstance<py::int_>(v)) o.set(key, std::string(py::str(v)));
    else if (py::isinstance<py::float_>(v)) o.set(key, v.cast<double>());
    else if (py::isinstance<py::str>(v)) o.set(key, v.cast<std::string>());
    else throw py::type_error(what + ": option '" + key + "' must be a number, bool or str, got " + describe(v));
  }
  return o;
}

Rng to_rng(py::handle obj, const std::string& what) {
  if (py::isinstance<Rng>(obj)) return obj.cast<Rng>();
  if (py::isinstance<py::int_>(obj) && !py::isinstance<py::bool_>(obj)) {
    const long long s = obj.cast<long long>();
    if (s < 0) throw py::value_error(what + ": a seed must be >= 0, got " + std::to_string(s));
    return Rng(static_cast<std::uint64_t>(s));
  }
  throw py::type_error(what + ": expected an int seed or an engram.Rng, got " + describe(obj));
}

namespace {

// A Var from a Var, or a constant from an array.
V as_var(py::handle obj, const char* what) {
  if (py::isinstance<V>(obj)) return obj.cast<V>();
  return V(to_mat(obj, what), false);
}

class NoGrad {
 public:
  void enter() { guard_ = std::make_unique<NoGradGuard>(); }
  void exit() { guard_.reset(); }

 private:
  std::unique_ptr<NoGradGuard> guard_;
};

int check_axis(int axis) {
  if (axis != 0 && axis != 1) throw py::value_error("axis must be 0 (over rows) or 1 (over cols), got " + std::to_string(axis));
  return axis;
}

void register_ops(py::module_& ops) {
  ops.doc() =
      "Differentiable ops on engram.Var (each computes its value and records its backward).\n\n"
      "Values are 2-D float32 [rows x cols]; vectors are [1 x n] rows. Elementwise binary ops\n"
      "broadcast numpy-style in 2-D. Arrays given where a Var is expected become constants.\n\n"
      ">>> import numpy as np, engram\n"
      ">>> from engram import ops\n"
      ">>> q = engram.Var(np.ones((1, 4), np.float32), requires_grad=True)\n"
      ">>> k = np.eye(4, dtype=np.float32)\n"
      ">>> w = ops.softmax(ops.matmul_nt(q, k))      # [1 x 4]\n"
      ">>> ops.sum(w).backward(); q.grad.shape\n"
      "(1, 4)\n";
  // linear algebra
  ops.def("matmul", &matmul<float>, "a: [n x k], b: [k x m] -> [n x m]", py::arg("a"), py::arg("b"));
  ops.def("matmul_nt", &matmul_nt<float>, "a: [n x k], b: [m x k] -> a b^T: [n x m]", py::arg("a"), py::arg("b"));
  ops.def("outer", &outer<float>, "u, v: vectors of n and m elements -> u v^T: [n x m]", py::arg("u"), py::arg("v"));
  ops.def("transpose", &transpose<float>, "x: [r x c] -> [c x r]", py::arg("x"));
  // elementwise
  ops.def("add", &add<float>, "a + b (broadcasting)", py::arg("a"), py::arg("b"));
  ops.def("sub", &sub<float>, "a - b (broadcasting)", py::arg("a"), py::arg("b"));
  ops.def("mul", &mul<float>, "a * b elementwise (broadcasting)", py::arg("a"), py::arg("b"));
  ops.def("div", &div<float>, "a / b elementwise (broadcasting)", py::arg("a"), py::arg("b"));
  ops.def("add_scalar", &add_scalar<float>, "x + s", py::arg("x"), py::arg("s"));
  ops.def("scale", &scale<float>, "x * s", py::arg("x"), py::arg("s"));
  ops.def("rsub_scalar", &rsub_scalar<float>, "s - x", py::arg("x"), py::arg("s"));
  ops.def("neg", &neg<float>, "-x", py::arg("x"));
  ops.def("exp", &exp<float>, "e^x", py::arg("x"));
  ops.def("log", &log<float>, "log x (x > 0)", py::arg("x"));
  ops.def("sqrt", &sqrt<float>, "sqrt x (x > 0 for a finite gradient)", py::arg("x"));
  ops.def("pow", &pow<float>, "x^p (x > 0 unless p is an integer)", py::arg("x"), py::arg("p"));
  ops.def("abs", &abs<float>, "|x| (gradient sign(x), 0 at 0)", py::arg("x"));
  ops.def("tanh", &tanh<float>, "tanh x", py::arg("x"));
  ops.def("sigmoid", &sigmoid<float>, "1 / (1 + e^-x)", py::arg("x"));
  ops.def("relu", &relu<float>, "max(x, 0)", py::arg("x"));
  ops.def("softplus", &softplus<float>, "log(1 + e^x)", py::arg("x"));
  ops.def("oneplus", &oneplus<float>, "1 + softplus(x) (NTM key strengths)", py::arg("x"));
  // reductions
  ops.def(
      "sum", [](const V& x, std::optional<int> axis) { return axis ? sum(x, check_axis(*axis)) : sum(x); },
      "sum of all entries -> [1 x 1]; axis 0 -> [1 x c], axis 1 -> [r x 1]", py::arg("x"), py::arg("axis") = py::none());
  ops.def(
      "mean", [](const V& x, std::optional<int> axis) { return axis ? mean(x, check_axis(*axis)) : mean(x); },
      "mean of all entries -> [1 x 1]; axis 0 -> [1 x c], axis 1 -> [r x 1]", py::arg("x"), py::arg("axis") = py::none());
  ops.def(
      "max", [](const V& x, int axis) { return max(x, check_axis(axis)); },
      "max along an axis (gradient to the first arg-max)", py::arg("x"), py::arg("axis"));
  // normalizers
  ops.def("softmax", &softmax<float>, "softmax(beta x) per row", py::arg("x"), py::arg("beta") = 1.0f);
  ops.def("log_softmax", &log_softmax<float>, "log softmax(beta x) per row", py::arg("x"), py::arg("beta") = 1.0f);
  ops.def("logsumexp", &logsumexp<float>, "(1/beta) log sum exp(beta x) per row -> [r x 1]", py::arg("x"),
          py::arg("beta") = 1.0f);
  ops.def("sparsemax", &sparsemax<float>, "sparsemax per row (projection onto the simplex)", py::arg("x"));
  ops.def(
      "masked_fill",
      [](const V& x, py::handle mask, float value) { return masked_fill(x, to_mat(mask, "masked_fill mask"), value); },
      "x with `value` where mask != 0 (mask: x's shape, [1 x c] or [r x 1])", py::arg("x"), py::arg("mask"),
      py::arg("value"));
  // shape
  ops.def("concat", &concat<float>, "axis 0 stacks rows, axis 1 stacks cols", py::arg("xs"), py::arg("axis"));
  ops.def("slice_rows", &slice_rows<float>, "rows [start, start + count)", py::arg("x"), py::arg("start"), py::arg("count"));
  ops.def("slice_cols", &slice_cols<float>, "cols [start, start + count)", py::arg("x"), py::arg("start"), py::arg("count"));
  ops.def("reshape", &reshape<float>, "same elements in row-major order: [r x c] -> [rows x cols]", py::arg("x"),
          py::arg("rows"), py::arg("cols"));
  ops.def(
      "gather_rows", [](const V& t, py::handle idx) { return gather_rows(t, to_ints(idx, "gather_rows idx")); },
      "table: [V x d], idx: n ids -> [n x d]", py::arg("table"), py::arg("idx"));
  ops.def(
      "embedding_bag",
      [](const V& t, py::handle ids, py::handle offsets, py::handle weights) {
        return embedding_bag(t, to_ints(ids, "embedding_bag ids"), to_ints(offsets, "embedding_bag offsets"),
                             weights.is_none() ? MatF() : to_mat(weights, "embedding_bag weights"));
      },
      "table: [V x d]; bag b = ids[offsets[b] .. offsets[b+1]) -> [bags x d], row b = sum of weights_i * table[ids_i] "
      "(weights: [n x d] constants, or None for all ones)",
      py::arg("table"), py::arg("ids"), py::arg("offsets"), py::arg("weights") = py::none());
  // ragged batches: set s owns rows offsets[s] .. offsets[s+1]
  ops.def(
      "segment_dot",
      [](const V& u, const V& m, py::handle offsets) { return segment_dot(u, m, to_ints(offsets, "segment_dot offsets")); },
      "u: [S x d], m: [R x d] -> [R x 1], row r of set s = u_s . m_r", py::arg("u"), py::arg("m"), py::arg("offsets"));
  ops.def(
      "segment_softmax",
      [](const V& x, py::handle offsets, float beta) {
        return segment_softmax(x, to_ints(offsets, "segment_softmax offsets"), beta);
      },
      "x: [R x 1] -> softmax(beta x) within each set", py::arg("x"), py::arg("offsets"), py::arg("beta") = 1.0f);
  ops.def(
      "segment_weighted_sum",
      [](const V& p, const V& c, py::handle offsets) {
        return segment_weighted_sum(p, c, to_ints(offsets, "segment_weighted_sum offsets"));
      },
      "p: [R x 1], c: [R x d] -> [S x d], row s = sum over set s of p_r c_r", py::arg("p"), py::arg("c"),
      py::arg("offsets"));
  // similarity and location
  ops.def("cosine_similarity", &cosine_similarity<float>, "a: [r x c], b: [r x c] or [1 x c] -> [r x 1]", py::arg("a"),
          py::arg("b"), py::arg("eps") = 1e-8f);
  ops.def("circular_conv", &circular_conv<float>, "w: [1 x N], s: [1 x K] (K odd) -> [1 x N] (NTM shift)", py::arg("w"),
          py::arg("s"));
  // layers and cells
  ops.def("layer_norm", &layer_norm<float>, "per-row normalization with gamma, beta: [1 x c]", py::arg("x"),
          py::arg("gamma"), py::arg("beta"), py::arg("eps") = 1e-5f);
  ops.def("lstm_cell", &lstm_cell<float>, "z: [n x 4H] gate pre-activations (i, f, o, g), c: [n x H] -> [n x 2H] = [h | c]",
          py::arg("z"), py::arg("c"));
  ops.def("gru_cell", &gru_cell<float>,
          "xz, hz: [n x 3H] input and hidden pre-activations (r, z, n), h: [n x H] -> h' [n x H] (reset after the hidden product)",
          py::arg("xz"), py::arg("hz"), py::arg("h"));
  // images: [N x C*H*W] rows (core/ops_image.h), shape = (C, H, W)
  ops.def(
      "conv2d",
      [](const V& x, std::tuple<Index, Index, Index> shape, const V& weight, std::optional<V> bias,
         std::tuple<Index, Index> kernel, Index stride, Index padding, Index dilation, Index groups) {
        Conv2dOptions o;
        std::tie(o.kernel_h, o.kernel_w) = kernel;
        o.stride = stride;
        o.padding = padding;
        o.dilation = dilation;
        o.groups = groups;
        const ImageShape in{std::get<0>(shape), std::get<1>(shape), std::get<2>(shape)};
        return conv2d(x, in, weight, bias ? *bias : V(), o);
      },
      "x: [N x C*H*W] images (shape (C, H, W)), weight: [O x (C/groups)*kh*kw], bias: [1 x O] or None -> [N x O*Ho*Wo]",
      py::arg("x"), py::arg("shape"), py::arg("weight"), py::arg("bias") = py::none(), py::arg("kernel") = std::make_tuple(3, 3),
      py::arg("stride") = 1, py::arg("padding") = 0, py::arg("dilation") = 1, py::arg("groups") = 1);
  ops.def(
      "max_pool2d",
      [](const V& x, std::tuple<Index, Index, Index> shape, Index kernel, Index stride, Index padding) {
        return max_pool2d(x, ImageShape{std::get<0>(shape), std::get<1>(shape), std::get<2>(shape)}, Pool2dOptions{kernel, stride, padding});
      },
      "x: [N x C*H*W] -> [N x C*Ho*Wo], the max of each window (padding never wins)", py::arg("x"), py::arg("shape"),
      py::arg("kernel") = 2, py::arg("stride") = 2, py::arg("padding") = 0);
  ops.def(
      "avg_pool2d",
      [](const V& x, std::tuple<Index, Index, Index> shape, Index kernel, Index stride, Index padding) {
        return avg_pool2d(x, ImageShape{std::get<0>(shape), std::get<1>(shape), std::get<2>(shape)}, Pool2dOptions{kernel, stride, padding});
      },
      "x: [N x C*H*W] -> [N x C*Ho*Wo], the mean of each window over its positions inside the image", py::arg("x"),
      py::arg("shape"), py::arg("kernel") = 2, py::arg("stride") = 2, py::arg("padding") = 0);
  ops.def(
      "global_avg_pool",
      [](const V& x, std::tuple<Index, Index, Index> shape) {
        return global_avg_pool(x, ImageShape{std::get<0>(shape), std::get<1>(shape), std::get<2>(shape)});
      },
      "x: [N x C*H*W] -> [N x C], the mean of each channel", py::arg("x"), py::arg("shape"));
  ops.def(
      "global_max_pool",
      [](const V& x, std::tuple<Index, Index, Index> shape) {
        return global_max_pool(x, ImageShape{std::get<0>(shape), std::get<1>(shape), std::get<2>(shape)});
      },
      "x: [N x C*H*W] -> [N x C], the max of each channel", py::arg("x"), py::arg("shape"));
  ops.def(
      "conv1d_channels", [](const V& s, const V& w) { return conv1d_channels(s, w); },
      "s: [N x C] (a value per channel), w: [1 x k], k odd -> [N x C], the zero-padded 1-D convolution across channels "
      "(ECA's)",
      py::arg("s"), py::arg("w"));
  ops.def(
      "bilinear_sample",
      [](const V& x, std::tuple<Index, Index, Index> shape, const V& grid) {
        return bilinear_sample(x, ImageShape{std::get<0>(shape), std::get<1>(shape), std::get<2>(shape)}, grid);
      },
      "x: [N x C*H*W] read at the points of grid [N x 2P] ((x, y) pairs in [-1, 1]: the centres of the first and last "
      "pixels; outside reads 0) -> [N x C*P], bilinear",
      py::arg("x"), py::arg("shape"), py::arg("grid"));
  ops.def(
      "group_norm",
      [](const V& x, std::tuple<Index, Index, Index> shape, Index groups, const V& gamma, const V& beta, float eps) {
        return group_norm(x, ImageShape{std::get<0>(shape), std::get<1>(shape), std::get<2>(shape)}, groups, gamma, beta, eps);
      },
      "x: [N x C*H*W], each image's channels in `groups` groups normalised over channels and positions, then channel c "
      "times gamma[c] plus beta[c] (gamma, beta: [1 x C]) -> [N x C*H*W]",
      py::arg("x"), py::arg("shape"), py::arg("groups"), py::arg("gamma"), py::arg("beta"), py::arg("eps") = 1e-5f);
  ops.def(
      "dropout", [](const V& x, float p, bool training, Rng& rng) { return dropout(x, p, training, rng); },
      "inverted dropout with probability p (identity when not training)", py::arg("x"), py::arg("p"),
      py::arg("training"), py::arg("rng"));
  // losses
  ops.def(
      "cross_entropy",
      [](const V& logits, py::handle targets) { return cross_entropy(logits, to_ints(targets, "cross_entropy targets")); },
      "logits: [n x C], targets: n class ids -> mean loss [1 x 1]", py::arg("logits"), py::arg("targets"));
  ops.def(
      "bce_with_logits",
      [](const V& logits, py::handle t) { return bce_with_logits(logits, to_mat(t, "bce_with_logits targets")); },
      "logits and targets in [0, 1] of the same shape -> mean loss [1 x 1]", py::arg("logits"), py::arg("targets"));
  ops.def(
      "mse", [](const V& pred, py::handle t) { return mse(pred, to_mat(t, "mse target")); },
      "mean squared error against a target of pred's shape -> [1 x 1]", py::arg("pred"), py::arg("target"));
  ops.def(
      "constant", [](py::handle value) { return V(to_mat(value, "constant value"), false); },
      "a leaf that needs no gradient", py::arg("value"));
}

}  // namespace

void register_core(py::module_& m) {
  py::class_<V> var(m, "Var", R"doc(A node of engram's autodiff graph: a 2-D float32 value, its inputs and its backward.

Leaves are made from arrays; every op in engram.ops (and the operators + - * / @) returns a
new Var. `value` is a read-only float32 view of the node's value (no copy); `data` a writable
view of a leaf's value (parameters: change them in place, never while a graph that read them
is alive); `grad` a view of a leaf's accumulated gradient after backward().

>>> import numpy as np, engram
>>> x = engram.Var(np.array([[1.0, 2.0]], np.float32), requires_grad=True)
>>> y = engram.ops.sum(x * x)
>>> y.backward()
>>> x.grad
array([[2., 4.]], dtype=float32)
)doc");
  var.def(py::init([](py::handle value, bool requires_grad) { return V(to_mat(value, "Var value"), requires_grad); }),
          py::arg("value"), py::arg("requires_grad") = false)
      .def_property_readonly(
          "value", [](const V& v) { return view(v.value(), py::cast(v), false); },
          "read-only float32 view of the value [rows x cols] (no copy)")
      .def_property_readonly(
          "data",
          [](V& v) {
            if (std::string(v.op()) != "leaf")
              throw py::value_error(std::string("Var.data: only a leaf's value may be written; this is the output of '") +
                                    v.op() + "' (use .value to read it)");
            return view(v.mutable_value(), py::cast(v), true);
          },
          "writable float32 view of a leaf's value (parameters), no copy")
      .def_property_readonly(
          "grad",
          [](V& v) -> py::object {
            if (v.grad().size() == 0) return py::none();
            return view(v.mutable_grad(), py::cast(v), true);
          },
          "the accumulated gradient of a leaf (a view), None before any backward")
      .def("numpy", [](const V& v) { return to_numpy(MatF(v.value())); }, "a copy of the value")
      .def("__array__", [](const V& v, py::object dtype) {
            py::array a = to_numpy(MatF(v.value()));
            return dtype.is_none() ? a : py::array(a.attr("astype")(dtype));
          }, py::arg("dtype") = py::none())
      .def_property_readonly("shape", [](const V& v) { return py::make_tuple(v.rows(), v.cols()); })
      .def_property_readonly("rows", &V::rows)
      .def_property_readonly("cols", &V::cols)
      .def_property_readonly("requires_grad", &V::requires_grad)
      .def_property_readonly("op", [](const V& v) { return std::string(v.op()); }, "the op that made it ('leaf' for leaves)")
      .def("item", &V::item, "the value of a [1 x 1] Var")
      .def(
          "backward",
          [](const V& v, py::object seed) {
            if (seed.is_none()) {
              if (v.size() != 1)
                throw py::value_error("Var.backward: without a seed the root must be [1 x 1], got " + v.shape() +
                                      " (pass seed=array of that shape)");
              backward(v);
            } else {
              backward(v, to_mat(seed, "backward seed " + v.shape(), v.rows(), v.cols()));
            }
          },
          "reverse pass from this Var; gradients are added into the leaves' grad", py::arg("seed") = py::none())
      .def("zero_grad", &V::zero_grad, "sets a leaf's gradient to zeros")
      .def(
          "sum", [](const V& x, std::optional<int> axis) { return axis ? sum(x, check_axis(*axis)) : sum(x); },
          "ops.sum(self, axis)", py::arg("axis") = py::none())
      .def(
          "mean", [](const V& x, std::optional<int> axis) { return axis ? mean(x, check_axis(*axis)) : mean(x); },
          "ops.mean(self, axis)", py::arg("axis") = py::none())
      .def("detach", [](const V& v) { return V(v.value(), false); }, "a constant copy of the value")
      .def_property_readonly("T", [](const V& v) { return transpose(v); })
      .def("__repr__", [](const V& v) {
        return "Var(" + v.shape() + ", op=" + v.op() + (v.requires_grad() ? ", requires_grad" : "") + ")";
      });
  // arithmetic: Var with Var (arrays become constants) or with a Python number
  var.def("__add__", [](const V& a, const V& b) { return add(a, b); })
      .def("__add__", [](const V& a, float s) { return add_scalar(a, s); })
      .def("__radd__", [](const V& a, float s) { return add_scalar(a, s); })
      .def("__radd__", [](const V& a, py::array b) { return add(as_var(b, "operand"), a); })
      .def("__sub__", [](const V& a, const V& b) { return sub(a, b); })
      .def("__sub__", [](const V& a, float s) { return add_scalar(a, -s); })
      .def("__rsub__", [](const V& a, float s) { return rsub_scalar(a, s); })
      .def("__rsub__", [](const V& a, py::array b) { return sub(as_var(b, "operand"), a); })
      .def("__mul__", [](const V& a, const V& b) { return mul(a, b); })
      .def("__mul__", [](const V& a, float s) { return scale(a, s); })
      .def("__rmul__", [](const V& a, float s) { return scale(a, s); })
      .def("__rmul__", [](const V& a, py::array b) { return mul(as_var(b, "operand"), a); })
      .def("__truediv__", [](const V& a, const V& b) { return div(a, b); })
      .def("__truediv__", [](const V& a, float s) { return scale(a, 1.0f / s); })
      .def("__rtruediv__", [](const V& a, float s) { return scale(pow(a, -1.0f), s); })
      .def("__rtruediv__", [](const V& a, py::array b) { return div(as_var(b, "operand"), a); })
      .def("__matmul__", [](const V& a, const V& b) { return matmul(a, b); })
      .def("__rmatmul__", [](const V& a, py::array b) { return matmul(as_var(b, "operand"), a); })
      .def("__neg__", [](const V& a) { return neg(a); })
      .def("__pow__", [](const V& a, float p) { return pow(a, p); });
  var.attr("__array_ufunc__") = py::none();  // numpy defers to Var's reflected operators
  py::implicitly_convertible<py::array, V>();

  py::class_<NoGrad>(m, "no_grad", R"doc(Context manager: no graph is recorded on this thread inside it.

>>> import numpy as np, engram
>>> x = engram.Var(np.ones((1, 2), np.float32), requires_grad=True)
>>> with engram.no_grad():
...     y = x * 2.0
>>> y.requires_grad
False
)doc")
      .def(py::init<>())
      .def("__enter__", [](NoGrad& g) { g.enter(); return &g; }, py::return_value_policy::reference)
      .def("__exit__", [](NoGrad& g, py::args) { g.exit(); return false; });
  m.def("grad_enabled", &grad_enabled, "whether ops record a graph on this thread");

  py::class_<Rng>(m, "Rng", R"doc(A seeded random stream (xoshiro256**); children derive from its identity, not its state.

>>> import engram
>>> r = engram.Rng(1, "demo")
>>> r.normal_matrix(2, 3).shape
(2, 3)
>>> engram.Rng(1, "demo").uniform() == engram.Rng(1, "demo").uniform()
True
)doc")
      .def(py::init([](std::uint64_t seed, const std::string& name) { return Rng(seed, name); }), py::arg("seed") = 0,
           py::arg("name") = "")
      .def("child", [](const Rng& r, const std::string& name) { return r.child(name); }, py::arg("name"))
      .def("child", [](const Rng& r, std::uint64_t i) { return r.child(i); }, py::arg("index"))
      .def("uniform", [](Rng& r) { return r.uniform(); }, "uniform in [0, 1)")
      .def("normal", [](Rng& r) { return r.normal(); }, "N(0, 1)")
      .def("below", &Rng::below, "uniform integer in [0, n)", py::arg("n"))
      .def("permutation", &Rng::permutation, py::arg("n"))
      .def(
          "normal_matrix",
          [](Rng& r, Index rows, Index cols, double mean, double std) {
            if (rows < 0 || cols < 0) throw py::value_error("normal_matrix: rows and cols must be >= 0");
            return to_numpy(init::normal<float>(rows, cols, mean, std, r));
          },
          "[rows x cols] float32 N(mean, std^2)", py::arg("rows"), py::arg("cols"), py::arg("mean") = 0.0,
          py::arg("std") = 1.0)
      .def(
          "uniform_matrix",
          [](Rng& r, Index rows, Index cols, double lo, double hi) {
            if (rows < 0 || cols < 0) throw py::value_error("uniform_matrix: rows and cols must be >= 0");
            return to_numpy(init::uniform<float>(rows, cols, lo, hi, r));
          },
          "[rows x cols] float32 U[lo, hi)", py::arg("rows"), py::arg("cols"), py::arg("lo") = 0.0, py::arg("hi") = 1.0);

  py::class_<Options>(m, "Options", R"doc(The typed options of a registered component, read with defaults and ranges.

A Python-defined component receives one: read every option it accepts, the rest are errors
("hiden: unknown option (did you mean hidden?)") when construction ends.

>>> import engram
>>> o = engram.Options({"beta": 2.0})
>>> o.number("beta", 1.0, lo=0.0)
2.0
)doc")
      .def(py::init([](py::object d) { return to_options(d, "Options"); }), py::arg("values") = py::none())
      .def("has", &Options::has, py::arg("key"))
      .def("keys", &Options::keys)
      .def("number", &Options::number, py::arg("key"), py::arg("default"),
           py::arg("lo") = -std::numeric_limits<double>::infinity(), py::arg("hi") = std::numeric_limits<double>::infinity())
      .def("integer", &Options::integer, py::arg("key"), py::arg("default"),
           py::arg("lo") = std::numeric_limits<long long>::min(), py::arg("hi") = std::numeric_limits<long long>::max())
      .def("boolean", &Options::boolean, py::arg("key"), py::arg("default"))
      .def("string", &Options::string, py::arg("key"), py::arg("default"))
      .def("choice", &Options::choice, py::arg("key"), py::arg("default"), py::arg("allowed"))
      .def("finish", &Options::finish, "raises ValueError for options that were set but never read",
           py::arg("component"));

  py::class_<Module<float>>(m, "Module", R"doc(A component that owns parameters (scores, normalizers, memories, models).

`parameters()` maps each parameter's path ("score.weight") to its Var; `p.data` is a writable
float32 view of the parameter itself.
)doc")
      .def(
          "parameters",
          [](const Module<float>& mod) {
            py::dict d;
            for (const auto& p : mod.named_parameters()) d[py::str(p.name)] = p.var;
            return d;
          },
          "{name: Var} in registration order")
      .def_property_readonly("num_parameters", &Module<float>::num_parameters)
      .def_property("training", &Module<float>::training, &Module<float>::set_training)
      .def(
          "zero_grad", [](const Module<float>& mod) { zero_grad(mod.named_parameters()); },
          "sets every parameter's gradient to zero");

  // after Var and Rng, so that the ops' signatures name them
  py::module_ ops = m.def_submodule("ops", "differentiable ops");
  register_ops(ops);
}

}  // namespace engram::python
