// engram/python/src/register_memory.cpp — memories from Python: the Hopfield lab
// (engram.hopfield: binary, bit-packed, dense and modern memories, learning rules) and the
// external memory with its addressing pipelines (engram.ExternalMemory).
//
// Long calls (retrieval of a batch, learning rules on large pattern sets) release the GIL; the
// arrays they read are copied in first, so other Python threads may run meanwhile.
#include "core/parallel.h"
#include "memory/external_memory.h"
#include "memory/presets.h"
#include "memory/hopfield/binary.h"
#include "memory/hopfield/dense.h"
#include "memory/hopfield/modern.h"
#include "memory/hopfield/packed.h"
#include "memory/hopfield/patterns.h"
#include "memory/hopfield/rules.h"
#include "python/src/bindings.h"
#include "python/src/numpy.h"

#include <pybind11/stl.h>

#include <memory>
#include <optional>

namespace engram::python {

using V = Var<float>;
namespace hf = hopfield;

namespace {

// A batch size from Python: sequences advanced together, in [1, 2^20].
Index checked_batch(const char* where, long long batch) {
  if (batch < 1 || batch > (1 << 20))
    throw py::value_error(std::string(where) + ": batch must be in [1, 2^20], got " + std::to_string(batch));
  return static_cast<Index>(batch);
}

hf::RunOptions run_options(const std::string& update, int max_sweeps, bool record_energy, bool record_flips) {
  hf::RunOptions o;
  if (update == "synchronous" || update == "sync") o.update = hf::Update::synchronous;
  else if (update == "asynchronous" || update == "async") o.update = hf::Update::asynchronous;
  else throw py::value_error("update: expected 'synchronous' or 'asynchronous', got '" + update + "'");
  o.max_sweeps = max_sweeps;
  o.record_energy = record_energy;
  o.record_flips = record_flips;
  hf::check_run_options(o, "run");
  return o;
}

// Runs fn with the GIL released on a pool of `threads` (1: the calling thread).
template <class F>
auto without_gil(int threads, F&& fn) {
  if (threads < 1) throw py::value_error("threads must be >= 1, got " + std::to_string(threads));
  py::gil_scoped_release release;
  std::unique_ptr<ThreadPool> pool = threads > 1 ? std::make_unique<ThreadPool>(threads) : nullptr;
  return fn(pool.get());
}

py::array_t<double> vector_array(const std::vector<double>& v) {
  MatD m(1, static_cast<Index>(v.size()));
  for (size_t i = 0; i < v.size(); ++i) m(0, static_cast<Index>(i)) = v[i];
  py::array_t<double> a = to_numpy(std::move(m));
  return a.attr("reshape")(static_cast<py::ssize_t>(v.size()));
}

memory::StageConfig to_stage(py::handle obj) {
  if (py::isinstance<py::str>(obj)) return {obj.cast<std::string>(), {}};
  if (py::isinstance<py::dict>(obj)) {
    py::dict d = py::reinterpret_borrow<py::dict>(obj);
    if (!d.contains("name")) throw py::value_error("addressing stage: a dict needs a 'name', got " + std::string(py::repr(obj)));
    py::dict rest;
    for (auto [k, v] : d)
      if (k.cast<std::string>() != "name") rest[k] = v;
    return {d["name"].cast<std::string>(), to_options(rest, "addressing stage options")};
  }
  throw py::type_error("addressing stage: expected a name or a dict {name: ..., options}, got " + describe(obj));
}

memory::HeadConfig to_head(py::handle obj) {
  if (!py::isinstance<py::dict>(obj))
    throw py::type_error("heads: each head is a dict {kind: read|write, addressing: [...], ...}, got " + describe(obj));
  py::dict d = py::reinterpret_borrow<py::dict>(obj);
  const std::string kind = d.contains("kind") ? d["kind"].cast<std::string>() : "read";
  if (kind != "read" && kind != "write") throw py::value_error("heads: kind must be 'read' or 'write', got '" + kind + "'");
  if (!d.contains("addressing")) throw py::value_error("heads: a head needs 'addressing': [stage, ...]");
  std::vector<memory::StageConfig> stages;
  py::handle a = d["addressing"];
  if (py::isinstance<py::str>(a) || py::isinstance<py::dict>(a)) stages.push_back(to_stage(a));
  else
    for (py::handle s : a) stages.push_back(to_stage(s));
  py::dict rest;
  for (auto [k, v] : d) {
    const std::string key = k.cast<std::string>();
    if (key != "kind" && key != "addressing") rest[k] = v;
  }
  return memory::head_config(kind == "read" ? memory::HeadKind::read : memory::HeadKind::write, std::move(stages),
                             to_options(rest, "head options"));
}

py::list specs_list(const std::vector<memory::ParamSpec>& specs) {
  py::list l;
  for (const auto& s : specs) l.append(py::make_tuple(s.name, s.size, memory::activation_name(s.activation)));
  return l;
}

void register_hopfield(py::module_& h) {
  h.doc() = R"doc(Hopfield associative memories (see docs/hopfield.md).

States are float32 +-1 arrays, one per row ([P x N] patterns, [B x N] probes); continuous
(modern) memories use real rows. Stored patterns and weights are exposed as read-only views.

>>> import engram
>>> from engram import hopfield
>>> X = hopfield.random_patterns(5, 100, seed=1)
>>> net = hopfield.BinaryHopfield.store(X, "hebbian")
>>> probes = hopfield.flip_bits(X, 0.1, seed=2)
>>> r = net.run(probes)
>>> bool((r.states == X).all())
True
)doc";
  h.def(
      "random_patterns",
      [](Index P, Index N, py::object seed, double bias) {
        Rng rng = to_rng(seed, "random_patterns seed");
        return to_numpy(hf::random_patterns(P, N, rng, bias));
      },
      "P random +-1 patterns of N units, float32 [P x N]; P(+1) = (1 + bias) / 2", py::arg("P"), py::arg("N"),
      py::arg("seed") = 0, py::arg("bias") = 0.0);
  h.def(
      "flip_bits",
      [](py::handle x, double fraction, py::object seed) {
        Rng rng = to_rng(seed, "flip_bits seed");
        return to_numpy(hf::flip_bits(to_mat(x, "states [B x N]"), fraction, rng));
      },
      "a copy of x with round(fraction N) distinct bits flipped per row", py::arg("x"), py::arg("fraction"),
      py::arg("seed") = 0);
  h.def(
      "overlaps", [](py::handle x, py::handle s) { return to_numpy(hf::overlaps(to_mat(x, "x [P x N]"), to_mat(s, "s [B x N]"))); },
      "(1/N) x . s for every pair of rows: [rows(x) x rows(s)]", py::arg("x"), py::arg("s"));
  h.def("sign", [](py::handle x) { return to_numpy(hf::sign(to_mat(x, "x"))); }, "sign with sign(0) = +1", py::arg("x"));
  h.def("learning_rules", [] { return hf::learning_rules().names(); }, "the registered learning rules");
  h.def(
      "rule_weights",
      [](const std::string& rule, py::handle patterns, py::object options) {
        auto r = hf::make_rule(rule, to_options(options, "rule options"));
        MatF x = to_mat(patterns, "patterns [P x N]");
        return to_numpy(without_gil(1, [&](ThreadPool*) { return r->weights(x); }));
      },
      "the [N x N] weights a learning rule gives for patterns [P x N] of +-1", py::arg("rule"), py::arg("patterns"),
      py::arg("options") = py::none());
  h.def(
      "separation", [](py::handle p) { return vector_array(hf::separation(to_mat(p, "patterns [P x d]"))); },
      "Delta_i = x_i.x_i - max_{j != i} x_i.x_j per stored pattern", py::arg("patterns"));
  h.def(
      "nearest_pattern",
      [](py::handle p, py::handle xi) {
        const auto idx = hf::nearest_pattern(to_mat(p, "patterns [P x d]"), to_mat(xi, "states [B x d]"));
        return std::vector<long long>(idx.begin(), idx.end());
      },
      "per row of xi, the index of the stored pattern with the largest overlap", py::arg("patterns"), py::arg("xi"));

  py::class_<hf::RunStats>(h, "RunStats", "one probe's run: sweeps, converged, two_cycle, energy trace")
      .def_readonly("sweeps", &hf::RunStats::sweeps)
      .def_readonly("converged", &hf::RunStats::converged)
      .def_readonly("two_cycle", &hf::RunStats::two_cycle)
      .def_readonly("energy", &hf::RunStats::energy)
      .def_readonly("flip_energy", &hf::RunStats::flip_energy);
  py::class_<hf::BatchResult>(h, "BatchResult", "final states [B x N] (a view) and one RunStats per probe")
      .def_property_readonly("states", [](py::object self) { return view(self.cast<hf::BatchResult&>().states, self, false); })
      .def_readonly("stats", &hf::BatchResult::stats)
      .def_property_readonly("converged_count", &hf::BatchResult::converged_count);

  const auto run_binary = [](const hf::BinaryHopfield& net, py::handle probes, const std::string& update, int max_sweeps,
                             bool record_energy, bool record_flips, py::object seed, int threads) {
    const auto o = run_options(update, max_sweeps, record_energy, record_flips);
    const Rng rng = to_rng(seed, "run seed");
    MatF p = to_mat(probes, "probes [B x " + std::to_string(net.size()) + "]", -1, net.size());
    return without_gil(threads, [&](ThreadPool* pool) { return net.run_batch(p, o, rng, pool); });
  };
  py::class_<hf::BinaryHopfield>(h, "BinaryHopfield", R"doc(The binary (+-1) Hopfield network: weights, thresholds, energy, dynamics.

    energy E(s) = -1/2 scale s^T W s + theta^T s;  update s_i <- sign(h_i), sign(0) = +1

>>> import engram
>>> X = engram.hopfield.random_patterns(3, 64, seed=0)
>>> net = engram.hopfield.BinaryHopfield.store(X, "storkey")
>>> net.energy(X).shape
(3,)
)doc")
      .def(py::init([](py::handle W, py::object theta, float scale) {
             MatF w = to_mat(W, "W [N x N]");
             Eigen::RowVectorXf t;
             if (!theta.is_none()) t = to_mat(theta, "theta [1 x N]", 1, w.rows()).row(0);
             return hf::BinaryHopfield(std::move(w), std::move(t), scale);
           }),
           py::arg("W"), py::arg("theta") = py::none(), py::arg("scale") = 1.0f)
      .def_static(
          "store",
          [](py::handle patterns, const std::string& rule, py::object options) {
            auto r = hf::make_rule(rule, to_options(options, "rule options"));
            MatF x = to_mat(patterns, "patterns [P x N]");
            return without_gil(1, [&](ThreadPool*) { return hf::BinaryHopfield::store(x, *r); });
          },
          "a network storing patterns [P x N] of +-1 with a registered learning rule", py::arg("patterns"),
          py::arg("rule") = "hebbian", py::arg("options") = py::none())
      .def_property_readonly("size", &hf::BinaryHopfield::size)
      .def_property_readonly(
          "matrix", [](py::object self) { return view(self.cast<hf::BinaryHopfield&>().matrix(), self, false); },
          "W (a read-only view); the effective weights are scale * W")
      .def_property_readonly("scale", &hf::BinaryHopfield::scale)
      .def_property_readonly("weights", [](const hf::BinaryHopfield& n) { return to_numpy(n.weights()); },
                             "scale * W, [N x N]")
      .def_property_readonly("thresholds", [](const hf::BinaryHopfield& n) { return to_numpy(MatF(n.thresholds())); })
      .def_property_readonly("symmetric", &hf::BinaryHopfield::symmetric)
      .def(
          "fields", [](const hf::BinaryHopfield& n, py::handle s) { return to_numpy(n.fields(to_mat(s, "states [B x N]", -1, n.size()))); },
          "states [B x N] -> fields [B x N]", py::arg("states"))
      .def(
          "energy",
          [](const hf::BinaryHopfield& n, py::handle s) {
            const Eigen::VectorXd e = n.energy(to_mat(s, "states [B x N]", -1, n.size()));
            return vector_array(std::vector<double>(e.data(), e.data() + e.size()));
          },
          "states [B x N] -> B energies (float64)", py::arg("states"))
      .def(
          "one_step",
          [](const hf::BinaryHopfield& n, py::handle p) { return to_numpy(n.one_step(to_mat(p, "probes [B x N]", -1, n.size()))); },
          "one synchronous update of every row", py::arg("probes"))
      .def("run", run_binary,
           "runs every probe [B x N] to a fixed point (or 2-cycle, or max_sweeps); probe b draws from Rng(seed).child(b)",
           py::arg("probes"), py::arg("update") = "synchronous", py::arg("max_sweeps") = 100,
           py::arg("record_energy") = false, py::arg("record_flips") = false, py::arg("seed") = 0, py::arg("threads") = 1);

  py::class_<hf::PackedHebbian>(h, "PackedHebbian", R"doc(Bit-packed Hebbian retrieval: the dynamics of BinaryHopfield.store(X, "hebbian"),
bit for bit, in integers (64 units per word), without an N x N matrix.

>>> import engram
>>> X = engram.hopfield.random_patterns(4, 128, seed=0)
>>> packed = engram.hopfield.PackedHebbian(X)
>>> packed.overlaps(X)[0, 0]
128
)doc")
      .def(py::init([](py::handle x) { return hf::PackedHebbian(to_mat(x, "patterns [P x N]")); }), py::arg("patterns"))
      .def_property_readonly("size", &hf::PackedHebbian::size)
      .def_property_readonly("num_patterns", &hf::PackedHebbian::patterns)
      .def(
          "overlaps",
          [](const hf::PackedHebbian& n, py::handle p) { return to_numpy(n.overlaps(to_mat(p, "probes [B x N]", -1, n.size()))); },
          "probes [B x N] -> int32 overlaps [B x P]", py::arg("probes"))
      .def(
          "fields",
          [](const hf::PackedHebbian& n, py::handle p) { return to_numpy(n.fields(to_mat(p, "probes [B x N]", -1, n.size()))); },
          "probes [B x N] -> int32 fields [B x N] (N times the dense fields)", py::arg("probes"))
      .def(
          "one_step",
          [](const hf::PackedHebbian& n, py::handle p) { return to_numpy(n.one_step(to_mat(p, "probes [B x N]", -1, n.size()))); },
          py::arg("probes"))
      .def(
          "run",
          [](const hf::PackedHebbian& net, py::handle probes, const std::string& update, int max_sweeps, bool record_energy,
             bool record_flips, py::object seed, int threads) {
            const auto o = run_options(update, max_sweeps, record_energy, record_flips);
            const Rng rng = to_rng(seed, "run seed");
            MatF p = to_mat(probes, "probes [B x " + std::to_string(net.size()) + "]", -1, net.size());
            return without_gil(threads, [&](ThreadPool* pool) { return net.run_batch(p, o, rng, pool); });
          },
          "as BinaryHopfield.run, same results", py::arg("probes"), py::arg("update") = "synchronous",
          py::arg("max_sweeps") = 100, py::arg("record_energy") = false, py::arg("record_flips") = false,
          py::arg("seed") = 0, py::arg("threads") = 1);

  py::class_<hf::ModernRetrieval>(h, "ModernRetrieval", "final states [B x d] (a view), steps, converged, energy traces")
      .def_property_readonly("states", [](py::object self) { return view(self.cast<hf::ModernRetrieval&>().states, self, false); })
      .def_readonly("steps", &hf::ModernRetrieval::steps)
      .def_readonly("converged", &hf::ModernRetrieval::converged)
      .def_readonly("energy", &hf::ModernRetrieval::energy);
  py::class_<hf::ModernHopfield>(h, "ModernHopfield", R"doc(Modern continuous Hopfield memory (Ramsauer et al. 2020).

    update xi <- softmax(beta xi X^T) X;  E(xi) = -lse(beta, X xi) + 1/2 xi.xi + const

>>> import numpy as np, engram
>>> X = np.eye(4, dtype=np.float32)
>>> mem = engram.hopfield.ModernHopfield(X, beta=8.0)
>>> r = mem.retrieve(np.array([[0.9, 0.2, 0.0, 0.1]], np.float32))
>>> int(r.states.argmax())
0
)doc")
      .def(py::init([](py::handle x, double beta) { return hf::ModernHopfield(to_mat(x, "patterns [P x d]"), beta); }),
           py::arg("patterns"), py::arg("beta"))
      .def_property_readonly("num_patterns", &hf::ModernHopfield::num_patterns)
      .def_property_readonly("dim", &hf::ModernHopfield::dim)
      .def_property_readonly("beta", &hf::ModernHopfield::beta)
      .def_property_readonly("max_norm", &hf::ModernHopfield::max_norm)
      .def_property_readonly(
          "patterns", [](py::object self) { return view(self.cast<hf::ModernHopfield&>().patterns(), self, false); },
          "the stored patterns [P x d] (a read-only view, no copy)")
      .def(
          "weights",
          [](const hf::ModernHopfield& m, py::handle xi) { return to_numpy(m.weights(to_mat(xi, "states [B x d]", -1, m.dim()))); },
          "states [B x d] -> softmax(beta xi X^T) [B x P]", py::arg("xi"))
      .def(
          "update",
          [](const hf::ModernHopfield& m, py::handle xi) { return to_numpy(m.update(to_mat(xi, "states [B x d]", -1, m.dim()))); },
          "one update of every row", py::arg("xi"))
      .def(
          "energy",
          [](const hf::ModernHopfield& m, py::handle xi) { return vector_array(m.energy(to_mat(xi, "states [B x d]", -1, m.dim()))); },
          "states [B x d] -> B energies (float64)", py::arg("xi"))
      .def(
          "retrieve",
          [](const hf::ModernHopfield& m, py::handle xi, int max_steps, double tol) {
            MatF x = to_mat(xi, "states [B x d]", -1, m.dim());
            return without_gil(1, [&](ThreadPool*) { return m.retrieve(x, max_steps, tol); });
          },
          "updates every row until it moves less than tol, or max_steps", py::arg("xi"), py::arg("max_steps") = 100,
          py::arg("tol") = 1e-5);

  py::class_<hf::DenseRetrieval>(h, "DenseRetrieval", "final states [B x N] (a view), sweeps, converged, energy")
      .def_property_readonly("states", [](py::object self) { return view(self.cast<hf::DenseRetrieval&>().states, self, false); })
      .def_readonly("sweeps", &hf::DenseRetrieval::sweeps)
      .def_readonly("converged", &hf::DenseRetrieval::converged)
      .def_readonly("energy", &hf::DenseRetrieval::energy);
  py::class_<hf::DenseMemory>(h, "DenseMemory", R"doc(Dense associative memory (Krotov & Hopfield 2016): E(s) = -sum_mu F(x_mu . s).

Interactions: "polynomial" (option n, default 3), "rectified_polynomial", "exp".

>>> import engram
>>> X = engram.hopfield.random_patterns(20, 32, seed=0)
>>> mem = engram.hopfield.DenseMemory(X, "polynomial", {"n": 4})
>>> r = mem.retrieve(engram.hopfield.flip_bits(X, 0.1, seed=1))
>>> bool((r.states == X).all())
True
)doc")
      .def(py::init([](py::handle x, const std::string& interaction, py::object options) {
             return hf::DenseMemory(to_mat(x, "patterns [P x N]"), interaction, to_options(options, "interaction options"));
           }),
           py::arg("patterns"), py::arg("interaction") = "polynomial", py::arg("options") = py::none())
      .def_property_readonly("num_patterns", &hf::DenseMemory::num_patterns)
      .def_property_readonly("dim", &hf::DenseMemory::dim)
      .def_property_readonly(
          "patterns", [](py::object self) { return view(self.cast<hf::DenseMemory&>().patterns(), self, false); },
          "the stored patterns [P x N] (a read-only view)")
      .def_property_readonly("interaction", [](const hf::DenseMemory& m) { return m.interaction().name(); })
      .def(
          "energy",
          [](const hf::DenseMemory& m, py::handle s) { return vector_array(m.energy(to_mat(s, "states [B x N]", -1, m.dim()))); },
          "states [B x N] -> B energies (log domain for exp)", py::arg("states"))
      .def(
          "retrieve",
          [](const hf::DenseMemory& m, py::handle probes, const std::string& dynamics, int max_sweeps, py::object seed,
             int threads) {
            hf::DenseRunOptions o;
            if (dynamics == "asynchronous" || dynamics == "async") o.dynamics = hf::Dynamics::asynchronous;
            else if (dynamics == "synchronous" || dynamics == "sync") o.dynamics = hf::Dynamics::synchronous;
            else throw py::value_error("dynamics: expected 'asynchronous' or 'synchronous', got '" + dynamics + "'");
            o.max_sweeps = max_sweeps;
            const Rng rng = to_rng(seed, "retrieve seed");
            MatF p = to_mat(probes, "probes [B x N]", -1, m.dim());
            return without_gil(threads, [&](ThreadPool* pool) { return m.retrieve(p, o, rng, pool); });
          },
          "runs every probe to a fixed point or max_sweeps; probe b draws from Rng(seed).child(b)", py::arg("probes"),
          py::arg("dynamics") = "asynchronous", py::arg("max_sweeps") = 100, py::arg("seed") = 0, py::arg("threads") = 1);
}

void register_external_memory(py::module_& m) {
  using memory::ExternalMemory;
  using memory::MemoryState;

  py::class_<MemoryState<float>>(m, "MemoryState", R"doc(The per-sequence state of an ExternalMemory (one per sequence).

`memory` is M_t [N x W] as a Var (its `.value` a read-only view; [B N x W] for a state of B
sequences, `batch`); `read_weights` and `write_weights` one [1 x N] (or [B x N]) Var per head; `usage`, `links`, `precedences`, `lru_usage` when a
stage reads their tracker (else None / empty); `trackers` the keys of the memory's trackers.
)doc")
      .def_property_readonly("batch", [](const MemoryState<float>& s) { return s.batch; }, "sequences advanced together (B)")
      .def_property_readonly("memory", [](const MemoryState<float>& s) { return s.memory; })
      .def_property_readonly("read_weights", [](const MemoryState<float>& s) { return s.read_weights; })
      .def_property_readonly("write_weights", [](const MemoryState<float>& s) { return s.write_weights; })
      .def_property_readonly("usage", [](const MemoryState<float>& s) -> py::object {
        const auto* u = s.find<memory::UsageState<float>>("usage");
        return u ? py::cast(u->usage) : py::none();
      })
      .def_property_readonly("links", [](const MemoryState<float>& s) {
        const auto* l = s.find<memory::LinksState<float>>("links");
        return l ? l->links : std::vector<Var<float>>{};
      })
      .def_property_readonly("precedences", [](const MemoryState<float>& s) {
        const auto* l = s.find<memory::LinksState<float>>("links");
        return l ? l->precedences : std::vector<Var<float>>{};
      })
      .def_property_readonly("lru_usage", [](const MemoryState<float>& s) -> py::object {
        const auto* u = s.find<memory::LruState<float>>("lru");
        return u ? py::cast(u->usage) : py::none();
      })
      .def_readonly("trackers", &MemoryState<float>::tracked_keys, "the keys of the memory's trackers (state kept beside it)")
      .def_readonly("steps", &MemoryState<float>::steps);

  py::class_<ExternalMemory<float>, Module<float>>(m, "ExternalMemory", R"doc(An external memory of N slots x W with read and write heads (docs/addressing.md).

Each head's addressing is a pipeline of registered stages, named as in a config; a controller
emits one raw interface row [1 x interface_size] per step and gets the reads [1 x R W] back.

>>> import numpy as np, engram
>>> mem = engram.ExternalMemory.ntm(slots=16, width=8)
>>> state = mem.initial_state()
>>> reads = mem.step(state, np.zeros((1, mem.interface_size), np.float32))
>>> reads.shape, state.memory.shape
((1, 8), (16, 8))
>>> custom = engram.ExternalMemory(16, 8, heads=[
...     {"kind": "read", "addressing": ["hopfield", "sharpen"]},
...     {"kind": "write", "addressing": ["content", "interpolate"]}])
)doc")
      .def(py::init([](Index slots, Index width, py::list heads, py::object options, py::object seed) {
             std::vector<memory::HeadConfig> hs;
             for (py::handle h : heads) hs.push_back(to_head(h));
             py::dict opts = options.is_none() ? py::dict() : py::dict(options);
             opts["slots"] = slots;
             opts["width"] = width;
             const memory::MemoryConfig c = memory::memory_config(std::move(hs), to_options(opts, "memory options"));
             Rng rng = to_rng(seed, "ExternalMemory seed").child("memory");
             return std::make_unique<ExternalMemory<float>>(c, rng);
           }),
           py::arg("slots"), py::arg("width"), py::arg("heads"), py::arg("options") = py::none(), py::arg("seed") = 0)
      .def_static(
          "ntm",
          [](Index slots, Index width, Index read_heads, Index write_heads, Index shift_range, py::object seed) {
            Rng rng = to_rng(seed, "seed").child("memory");
            return std::make_unique<ExternalMemory<float>>(memory::preset("ntm", {slots, width, read_heads, write_heads, shift_range}), rng);
          },
          py::arg("slots") = 128, py::arg("width") = 20, py::arg("read_heads") = 1, py::arg("write_heads") = 1,
          py::arg("shift_range") = 1, py::arg("seed") = 0)
      .def_static(
          "dnc",
          [](Index slots, Index width, Index read_heads, Index write_heads, py::object seed) {
            Rng rng = to_rng(seed, "seed").child("memory");
            return std::make_unique<ExternalMemory<float>>(memory::preset("dnc", {slots, width, read_heads, write_heads}), rng);
          },
          py::arg("slots") = 128, py::arg("width") = 20, py::arg("read_heads") = 1, py::arg("write_heads") = 1,
          py::arg("seed") = 0)
      .def_static(
          "lru",
          [](Index slots, Index width, Index heads, py::object seed) {
            Rng rng = to_rng(seed, "seed").child("memory");
            return std::make_unique<ExternalMemory<float>>(memory::preset("lru", {slots, width, heads}), rng);
          },
          py::arg("slots") = 128, py::arg("width") = 20, py::arg("heads") = 1, py::arg("seed") = 0)
      .def_property_readonly("slots", &ExternalMemory<float>::slots)
      .def_property_readonly("width", &ExternalMemory<float>::width)
      .def_property_readonly("read_heads", &ExternalMemory<float>::read_heads)
      .def_property_readonly("write_heads", &ExternalMemory<float>::write_heads)
      .def_property_readonly("interface_size", &ExternalMemory<float>::interface_size)
      .def_property_readonly("read_size", &ExternalMemory<float>::read_size)
      .def_property_readonly(
          "interface", [](const ExternalMemory<float>& mem) { return specs_list(mem.interface()); },
          "[(name, size, activation)] of every value the controller emits, e.g. ('read0.key', 8, 'identity')")
      .def("describe", &ExternalMemory<float>::describe)
      .def_property_readonly("batches", &ExternalMemory<float>::batches,
                             "True when initial_state(batch > 1) can advance several sequences together")
      .def(
          "initial_state",
          [](const ExternalMemory<float>& mem, long long batch) {
            return mem.initial_state(checked_batch("initial_state", batch));
          },
          py::arg("batch") = 1, "the state of `batch` sequences advanced together (memory [B N x W])")
      .def(
          "initial_reads",
          [](const ExternalMemory<float>& mem, long long batch) {
            return mem.initial_reads(checked_batch("initial_reads", batch));
          },
          py::arg("batch") = 1, "[B x R W] zeros")
      .def("next_sequence", &ExternalMemory<float>::next_sequence, py::arg("last"))
      .def(
          "step",
          [](const ExternalMemory<float>& mem, MemoryState<float>& state, const V& interface) {
            if (interface.rows() != state.batch || interface.cols() != mem.interface_size())
              throw py::value_error("step: interface must be [" + std::to_string(state.batch) + " x " +
                                    std::to_string(mem.interface_size()) + "] (a row per sequence of the state), got " +
                                    interface.shape());
            return mem.step(state, interface);
          },
          "one step: writes, then reads; interface [B x interface_size] (raw) -> reads [B x R W]; advances state",
          py::arg("state"), py::arg("interface"))
      .def("__repr__", [](const ExternalMemory<float>& mem) { return "ExternalMemory(" + mem.describe() + ")"; });
}

}  // namespace

void register_memory(py::module_& m) {
  py::module_ h = m.def_submodule("hopfield", "Hopfield associative memories");
  register_hopfield(h);
  register_external_memory(m);
}

}  // namespace engram::python
