// engram/python/src/register_networks.cpp — the networks of engram that a researcher drives
// step by step from Python: the pointer network (networks/pointer_net.h) and the attention
// encoder-decoder (networks/seq2seq.h).
#include "networks/pointer_net.h"
#include "networks/seq2seq.h"
#include "python/src/bindings.h"
#include "python/src/numpy.h"

#include <pybind11/stl.h>

namespace engram::python {

using V = Var<float>;

void register_networks(py::module_& m) {
  using networks::PointerBeam;
  using networks::PointerNet;

  py::class_<PointerBeam>(m, "PointerBeam", R"doc(One output of PointerNet.beam_search: output (positions),
log_prob (the sum of its steps' log-probabilities) and score (log_prob / length**alpha, the ranking).

>>> import numpy as np, engram
>>> b = engram.PointerNet(1, embed=4, encoder={"hidden": 4}).beam_search(np.ones((2, 1), np.float32), steps=2, width=2)[0]
>>> sorted(b.output), b.log_prob < 0, b.score == b.log_prob
([0, 1], True, True)
)doc")
      .def_readonly("output", &PointerBeam::output)
      .def_readonly("log_prob", &PointerBeam::log_prob)
      .def_readonly("score", &PointerBeam::score)
      .def("__repr__", [](const PointerBeam& b) {
        std::string s = "PointerBeam(output=[";
        for (size_t i = 0; i < b.output.size(); ++i) s += (i ? ", " : "") + std::to_string(b.output[i]);
        return s + "], log_prob=" + std::to_string(b.log_prob) + ")";
      });

  py::class_<PointerNet<float>, Module<float>>(m, "PointerNet", R"doc(Pointer network (Vinyals et al. 2015): the
decoder's attention over the input rows is its output distribution.

    PointerNet(input, embed=128, encoder={"name": "lstm", "hidden": 128}, score="additive",
               score_options=None, end_token=False, seed=0)
    x: [n x input] rows (float32); targets / outputs: positions in [0, n) (n = the end position)

>>> import numpy as np, engram
>>> net = engram.PointerNet(1, embed=8, encoder={"name": "gru", "hidden": 8}, seed=1)
>>> x = np.array([[0.3], [0.1], [0.7]], np.float32)
>>> float(net.loss(x, [1, 0, 2]).value[0, 0]) > 0
True
>>> out, attention = net.greedy(x, steps=3)
>>> sorted(out), attention.shape
([0, 1, 2], (3, 3))
>>> beams = net.beam_search(x, steps=3, width=6)
>>> len(beams), all(sorted(b.output) == [0, 1, 2] for b in beams), beams[0].log_prob >= beams[-1].log_prob
(6, True, True)
)doc")
      .def(py::init([](Index input, Index embed, py::object encoder, const std::string& score, py::object score_options,
                       bool end_token, py::object seed) {
             if (input < 1 || embed < 1) throw py::value_error("PointerNet: input and embed must be >= 1");
             Rng rng = to_rng(seed, "PointerNet seed").child("pointer_net");
             Options enc = encoder.is_none() ? Options() : to_options(encoder, "encoder");
             const Options so = to_options(score_options, "score_options");
             return std::make_unique<PointerNet<float>>(
                 input, embed, enc,
                 [&](const attention::ScoreShape& shape) { return attention::make_score<float>(score, shape, so, rng); },
                 end_token, rng);
           }),
           py::arg("input"), py::arg("embed") = 128, py::arg("encoder") = py::none(), py::arg("score") = "additive",
           py::arg("score_options") = py::none(), py::arg("end_token") = false, py::arg("seed") = 0)
      .def(
          "loss",
          [](const PointerNet<float>& net, const V& x, const std::vector<int>& targets, bool mask) {
            return net.loss(x, targets, mask);
          },
          py::arg("x"), py::arg("targets"), py::arg("mask") = true,
          "mean cross-entropy per step of the targets under teacher forcing -> Var [1 x 1]")
      .def(
          "greedy",
          [](const PointerNet<float>& net, const V& x, Index steps, bool mask) {
            MatF attention;
            std::vector<int> out = net.greedy(x, steps, mask, &attention);
            return py::make_tuple(out, to_numpy(std::move(attention)));
          },
          py::arg("x"), py::arg("steps"), py::arg("mask") = true,
          "(positions, attention [outputs x positions]): the most likely position at every step")
      .def("beam_search", &PointerNet<float>::beam_search, py::arg("x"), py::arg("steps"), py::arg("width"),
           py::arg("mask") = true, py::arg("alpha") = 0.0,
           "the width best outputs, best first, ranked by log_prob / length**alpha; only valid outputs")
      .def_property_readonly("input_size", &PointerNet<float>::input_size)
      .def_property_readonly("end_token", &PointerNet<float>::end_token);

  using networks::Seq2Seq;
  using networks::Seq2SeqBeam;
  py::class_<Seq2SeqBeam>(m, "Seq2SeqBeam", R"doc(One output of Seq2Seq.beam_search: output (token ids, without
</s>), log_prob (including the </s> step when it ended) and score (the ranking).

>>> import engram
>>> b = engram.Seq2Seq(4, 5, embed=4, encoder={"hidden": 4}).beam_search([2, 3], max_length=3, width=2)[0]
>>> b.log_prob < 0, 1 not in b.output
(True, True)
)doc")
      .def_readonly("output", &Seq2SeqBeam::output)
      .def_readonly("log_prob", &Seq2SeqBeam::log_prob)
      .def_readonly("score", &Seq2SeqBeam::score);

  py::class_<Seq2Seq<float>, Module<float>>(m, "Seq2Seq", R"doc(Attention encoder-decoder (Bahdanau et al. 2015,
Luong et al. 2015): source token ids in, target token ids out; target id 0 is </s>, 1 is <s>.

    Seq2Seq(source_vocab, target_vocab, embed=64, encoder={"name": "lstm", "hidden": 128},
            attention=True, score="additive", score_options=None, input_feeding=False, seed=0)

>>> import engram
>>> net = engram.Seq2Seq(6, 5, embed=8, encoder={"name": "gru", "hidden": 8, "bidirectional": True}, seed=2)
>>> float(net.loss([2, 3, 4], [4, 3, 2, 0]).value[0, 0]) > 0
True
>>> out, attention = net.greedy([2, 3, 4], max_length=5)
>>> attention.shape[1], len(out) <= 5
(3, True)
)doc")
      .def(py::init([](Index source_vocab, Index target_vocab, Index embed, py::object encoder, bool attention,
                       const std::string& score, py::object score_options, bool input_feeding, py::object seed) {
             Rng rng = to_rng(seed, "Seq2Seq seed").child("seq2seq");
             Options enc = encoder.is_none() ? Options() : to_options(encoder, "encoder");
             if (!enc.has("hidden")) enc.set("hidden", 128.0);
             const Options so = to_options(score_options, "score_options");
             return std::make_unique<Seq2Seq<float>>(
                 networks::Seq2SeqShape{source_vocab, target_vocab, embed, attention, input_feeding}, enc,
                 [&](const attention::ScoreShape& shape) { return attention::make_score<float>(score, shape, so, rng); }, rng);
           }),
           py::arg("source_vocab"), py::arg("target_vocab"), py::arg("embed") = 64, py::arg("encoder") = py::none(),
           py::arg("attention") = true, py::arg("score") = "additive", py::arg("score_options") = py::none(),
           py::arg("input_feeding") = false, py::arg("seed") = 0)
      .def("loss", &Seq2Seq<float>::loss, py::arg("source"), py::arg("targets"),
           "mean cross-entropy per target token under teacher forcing (targets end with 0, </s>) -> Var [1 x 1]")
      .def(
          "greedy",
          [](const Seq2Seq<float>& net, const std::vector<int>& source, Index max_length) {
            MatF attention;
            std::vector<int> out = net.greedy(source, max_length, &attention);
            return py::make_tuple(out, to_numpy(std::move(attention)));
          },
          py::arg("source"), py::arg("max_length"),
          "(tokens without </s>, attention [steps x source length]): the most likely token at every step")
      .def("beam_search", &Seq2Seq<float>::beam_search, py::arg("source"), py::arg("max_length"), py::arg("width"),
           py::arg("alpha") = 0.0, "the width best outputs, best first, ranked by log_prob / (length + 1)**alpha");
}

}  // namespace engram::python
