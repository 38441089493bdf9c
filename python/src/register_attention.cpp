// engram/python/src/register_attention.cpp — attention from Python: registered scores and
// normalizers by name, and Attention = score + normalizer + weighted read.
#include "attention/attention.h"
#include "python/src/bindings.h"
#include "python/src/numpy.h"

#include <pybind11/stl.h>

namespace engram::python {

using V = Var<float>;

void register_attention(py::module_& m) {
  using attention::Attention;
  using attention::Normalizer;
  using attention::Score;

  py::class_<attention::ScoreShape>(m, "ScoreShape", "what a score is built for: query_dim, key_dim")
      .def(py::init([](Index q, Index k) { return attention::ScoreShape{q, k}; }), py::arg("query_dim"), py::arg("key_dim"))
      .def_readonly("query_dim", &attention::ScoreShape::query_dim)
      .def_readonly("key_dim", &attention::ScoreShape::key_dim)
      .def("__repr__", [](const attention::ScoreShape& s) {
        return "ScoreShape(query_dim=" + std::to_string(s.query_dim) + ", key_dim=" + std::to_string(s.key_dim) + ")";
      });

  py::class_<Score<float>, Module<float>>(m, "Score", R"doc(A registered score function s(q, k): Q [m x dq], K [n x dk] -> S [m x n].

Built by name (`engram.components("scores")` lists them, with the ones registered from Python).

>>> import numpy as np, engram
>>> s = engram.Score.make("scaled_dot", query_dim=4, key_dim=4)
>>> s(np.ones((2, 4), np.float32), np.eye(4, dtype=np.float32)).shape
(2, 4)
)doc")
      .def_static(
          "make",
          [](const std::string& name, Index query_dim, Index key_dim, py::object options, py::object seed) {
            Rng rng = to_rng(seed, "Score.make seed").child("score");
            return attention::make_score<float>(name, {query_dim, key_dim}, to_options(options, "Score.make options"), rng);
          },
          py::arg("name"), py::arg("query_dim"), py::arg("key_dim"), py::arg("options") = py::none(), py::arg("seed") = 0)
      .def("scores", &Score<float>::scores, "q: [m x dq], k: [n x dk] -> [m x n]", py::arg("q"), py::arg("k"))
      .def("__call__", &Score<float>::scores, py::arg("q"), py::arg("k"));

  py::class_<attention::NormalizerShape>(m, "NormalizerShape", "what a normalizer is built for: query_dim")
      .def(py::init([](Index q) { return attention::NormalizerShape{q}; }), py::arg("query_dim") = 0)
      .def_readonly("query_dim", &attention::NormalizerShape::query_dim);

  const auto normalize = [](const Normalizer<float>& n, const V& scores, py::object mask, bool training, py::object seed,
                            Index position, py::object query) {
    attention::NormalizeContext<float> ctx;
    MatF mask_m;
    if (!mask.is_none()) {
      mask_m = to_mat(mask, "mask [m x n] or [1 x n]");
      ctx.mask = &mask_m;
    }
    Rng rng = to_rng(seed, "normalize seed");
    ctx.rng = &rng;
    ctx.training = training;
    ctx.position = position;
    V q;
    if (!query.is_none()) {
      q = py::isinstance<V>(query) ? query.cast<V>() : V(to_mat(query, "query [m x query_dim]"), false);
      ctx.query = &q;
    }
    return n.normalize(scores, ctx);
  };
  py::class_<Normalizer<float>, Module<float>>(m, "Normalizer", R"doc(A registered normalizer: scores S [m x n] -> weights W [m x n], rows on the simplex.

>>> import numpy as np, engram
>>> n = engram.Normalizer.make("sparsemax")
>>> w = n(np.array([[3.0, 1.0, 0.0]], np.float32)).value
>>> float(w.sum())
1.0
)doc")
      .def_static(
          "make",
          [](const std::string& name, Index query_dim, py::object options, py::object seed) {
            Rng rng = to_rng(seed, "Normalizer.make seed").child("normalizer");
            return attention::make_normalizer<float>(name, {query_dim}, to_options(options, "Normalizer.make options"), rng);
          },
          py::arg("name"), py::arg("query_dim") = 0, py::arg("options") = py::none(), py::arg("seed") = 0)
      .def("normalize", normalize,
           "scores [m x n] -> weights [m x n]; mask: non-zero = masked ([m x n] or [1 x n]); seed for sampled ones",
           py::arg("scores"), py::arg("mask") = py::none(), py::arg("training") = false, py::arg("seed") = 0,
           py::arg("position") = -1, py::arg("query") = py::none())
      .def("__call__", normalize, py::arg("scores"), py::arg("mask") = py::none(), py::arg("training") = false,
           py::arg("seed") = 0, py::arg("position") = -1, py::arg("query") = py::none())
      .def_property_readonly("differentiable", &Normalizer<float>::differentiable)
      .def_property_readonly("rows_sum_to_one", &Normalizer<float>::rows_sum_to_one);

  py::class_<Attention<float>, Module<float>>(m, "Attention", R"doc(Attention = score + normalizer + weighted read.

    q: [m x dq], keys: [n x dk], values: [n x dv] (default: the keys)
    -> (output [m x dv], weights [m x n]), both Vars (`.value` is a numpy view)

>>> import numpy as np, engram
>>> att = engram.Attention("dot", query_dim=3, key_dim=3)
>>> keys = np.eye(3, dtype=np.float32) * 10
>>> out, w = att(np.array([[10.0, 0, 0]], np.float32), keys)
>>> int(w.value.argmax())
0
)doc")
      .def(py::init([](const std::string& score, Index query_dim, Index key_dim, const std::string& normalizer,
                       py::object score_options, py::object normalizer_options, py::object seed) {
             Rng rng = to_rng(seed, "Attention seed").child("attention");
             return std::make_unique<Attention<float>>(score, attention::ScoreShape{query_dim, key_dim},
                                                       to_options(score_options, "score_options"), normalizer,
                                                       to_options(normalizer_options, "normalizer_options"), rng);
           }),
           py::arg("score"), py::arg("query_dim"), py::arg("key_dim"), py::arg("normalizer") = "softmax",
           py::arg("score_options") = py::none(), py::arg("normalizer_options") = py::none(), py::arg("seed") = 0)
      .def(
          "__call__",
          [](const Attention<float>& a, const V& q, const V& keys, py::object values, py::object mask) {
            attention::NormalizeContext<float> ctx;
            MatF mask_m;
            if (!mask.is_none()) {
              mask_m = to_mat(mask, "mask [m x n] or [1 x n]");
              ctx.mask = &mask_m;
            }
            const V vals = values.is_none() ? keys
                           : py::isinstance<V>(values) ? values.cast<V>()
                                                       : V(to_mat(values, "values [n x dv]"), false);
            const auto r = a(q, keys, vals, ctx);
            return py::make_tuple(r.output, r.weights);
          },
          py::arg("q"), py::arg("keys"), py::arg("values") = py::none(), py::arg("mask") = py::none())
      .def_property_readonly("score", &Attention<float>::score, py::return_value_policy::reference_internal)
      .def_property_readonly("normalizer", &Attention<float>::normalizer, py::return_value_policy::reference_internal);
}

}  // namespace engram::python
