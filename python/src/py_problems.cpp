// engram/python/src/py_problems.cpp — tasks and models written in Python, registered by name
// (`task: {name: ...}`, `model: {name: ...}` in a config) and trained by the C++ trainer:
// optimizer, clipping, schedules, evaluation, checkpoints, early stopping, the run directory.
//
//   @engram.register_task("parity", "parity of n random bits")
//   class Parity:
//       def __init__(self, options, ctx):            # Options (the task section's scalars), TaskContext
//           self.bits = options.integer("bits", 8, lo=1)
//           self.train_size = 0                       # 0: generated on demand (optional)
//       ...                                           # anything the model reads
//
//   @engram.register_model("parity_mlp", "a one-layer perceptron")
//   class ParityMlp:
//       def __init__(self, options, task, ctx):      # task: the Python task object (or None)
//           self.w = ctx.parameter("w", ctx.rng.normal_matrix(task.bits, 2, std=0.1))
//       def loss(self, id, rng):                      # example `id` -> Var [1 x 1]
//       def evaluate(self, split):                    # -> {"loss": ..., ...}
//       (optional) begin_step(self, step, epoch), inspect(self) -> {name: array}
//
// The Model contract of experiments/problem.h holds: loss() is called concurrently for the
// examples of a batch (each call takes the GIL, see py_components.cpp), draws randomness only
// from `rng`, and reads the task without changing it.
#include "experiments/problem.h"
#include "python/src/bindings.h"
#include "python/src/numpy.h"
#include "python/src/py_ref.h"

#include <pybind11/stl.h>

#include <memory>

namespace engram::python {

using V = Var<float>;
namespace ex = experiments;

namespace {

// What a Python task's or model's __init__ gets: the run's stream for it, and (models) the way
// to declare parameters and to adopt engram modules (a Score, an ExternalMemory) as children
// whose parameters are trained and checkpointed with the model's.
class ModelContext {
 public:
  ModelContext(std::string owner, Rng rng) : owner_(std::move(owner)), rng_(rng) {}
  std::function<V(const std::string&, MatF)> add_param;
  std::function<void(const std::string&, py::object)> add_child;

  V parameter(const std::string& name, py::handle init) {
    if (!add_param) throw py::value_error(owner_ + ": parameters are declared in a model's __init__");
    return add_param(name, to_mat(init, owner_ + " parameter '" + name + "'"));
  }
  void module(const std::string& name, py::object m) {
    if (!add_child) throw py::value_error(owner_ + ": modules are adopted in a model's __init__");
    if (!py::isinstance<Module<float>>(m))
      throw py::type_error(owner_ + ": module '" + name + "' must be an engram.Module (Score, Attention, ...), got " +
                           describe(m));
    add_child(name, m);
  }
  Rng& rng() { return rng_; }
  void close() {
    add_param = nullptr;
    add_child = nullptr;
  }

 private:
  std::string owner_;
  Rng rng_;
};

std::string err_text(py::error_already_set& e) { return std::string(py::str(e.value())); }

// Builds cls(*args, options, ctx) for a factory reading the config section `cfg`: an error that
// starts with an option's name points at its file:line, like a C++ component's.
template <class Build>
py::object build_from_section(ex::Section& cfg, const std::string& owner, Build build) {
  const Options opt = ex::to_options(cfg);
  return ex::with_config_errors(cfg, [&] {
    py::gil_scoped_acquire gil;
    try {
      py::object pyopt = py::cast(Options(opt));
      py::object obj = build(pyopt);
      pyopt.cast<Options&>().finish(owner);
      return obj;
    } catch (py::error_already_set& e) {
      if (e.matches(PyExc_ValueError) || e.matches(PyExc_TypeError)) throw std::invalid_argument(err_text(e));
      throw std::runtime_error(owner + ": " + std::string(e.what()));
    }
  });
}

class PyTask final : public ex::Task {
 public:
  PyTask(py::object obj, std::string name) : obj_(std::make_shared<PyRef>(std::move(obj))), name_(std::move(name)) {}
  std::string family() const override {
    py::gil_scoped_acquire gil;
    py::object o = obj_->object();
    return py::hasattr(o, "family") ? py::str(o.attr("family")).cast<std::string>() : "python:" + name_;
  }
  std::uint64_t train_size() const override {
    py::gil_scoped_acquire gil;
    py::object o = obj_->object();
    return py::hasattr(o, "train_size") ? o.attr("train_size").cast<std::uint64_t>() : 0;
  }
  std::vector<std::string> eval_splits() const override {
    py::gil_scoped_acquire gil;
    py::object o = obj_->object();
    return py::hasattr(o, "eval_splits") ? o.attr("eval_splits").cast<std::vector<std::string>>()
                                         : std::vector<std::string>{"val"};
  }
  py::object object() const { return obj_->object(); }

 private:
  PyRefPtr obj_;
  std::string name_;
};

class PyModel final : public ex::Model {
 public:
  PyModel(const std::string& name, const PyRefPtr& cls, ex::Section& cfg, const ex::Task& task, Rng& rng)
      : owner_("model '" + name + "'") {
    py::gil_scoped_acquire gil;
    py::object obj = build_from_section(cfg, owner_, [&](py::object pyopt) {
      auto ctx = std::make_shared<ModelContext>(owner_, rng);
      ctx->add_param = [this](const std::string& n, MatF init) { return this->add_parameter(n, std::move(init)); };
      ctx->add_child = [this](const std::string& n, py::object m) {
        this->add_module(n, m.cast<Module<float>&>());
        children_.push_back(std::make_shared<PyRef>(m));  // keeps the child alive as long as the model
      };
      const auto* pt = dynamic_cast<const PyTask*>(&task);
      py::object t = pt ? pt->object() : py::none();
      py::object o = cls->get()(pyopt, t, py::cast(ctx));
      ctx->close();
      for (const char* m : {"loss", "evaluate"})
        if (!py::hasattr(o, m)) throw py::type_error(owner_ + ": the Python class has no method '" + m + "'");
      return o;
    });
    obj_ = std::make_shared<PyRef>(obj);
  }
  // example id -> [1 x 1]
  V loss(std::uint64_t id, Rng& rng) const override {
    py::gil_scoped_acquire gil;
    py::object r = obj_->get().attr("loss")(id, Rng(rng));
    if (!py::isinstance<V>(r)) throw py::type_error(owner_ + ": loss(id, rng) must return an engram.Var, got " + describe(r));
    V l = r.cast<V>();
    if (l.rows() != 1 || l.cols() != 1)
      throw std::invalid_argument(owner_ + ": loss(id, rng) must be [1 x 1], got " + l.shape());
    return l;
  }
  ex::Metrics evaluate(const std::string& split, ThreadPool&) const override {
    py::gil_scoped_acquire gil;
    py::object r = obj_->get().attr("evaluate")(split);
    if (!py::isinstance<py::dict>(r))
      throw py::type_error(owner_ + ": evaluate(split) must return a dict {metric: value}, got " + describe(r));
    ex::Metrics m;
    for (auto [k, v] : py::reinterpret_borrow<py::dict>(r)) m[py::str(k).cast<std::string>()] = v.cast<double>();
    if (!m.count("loss")) throw std::invalid_argument(owner_ + ": evaluate(split) must include 'loss'");
    return m;
  }
  void begin_step(std::uint64_t step, std::uint64_t epoch) override {
    py::gil_scoped_acquire gil;
    py::object o = obj_->object();
    if (py::hasattr(o, "begin_step")) o.attr("begin_step")(step, epoch);
  }
  std::map<std::string, MatF> inspect() const override {
    py::gil_scoped_acquire gil;
    py::object o = obj_->object();
    std::map<std::string, MatF> out;
    if (!py::hasattr(o, "inspect")) return out;
    py::object r = o.attr("inspect")();
    for (auto [k, v] : py::dict(r)) out[py::str(k).cast<std::string>()] = to_mat(v, owner_ + " inspect()");
    return out;
  }

 private:
  std::string owner_;
  PyRefPtr obj_;
  std::vector<PyRefPtr> children_;
};

}  // namespace

void register_problems(py::module_& m) {
  py::class_<ModelContext, std::shared_ptr<ModelContext>>(m, "ModelContext", R"doc(Given to a Python task's or model's __init__.

`rng` is the run's stream for it (seeded from the config's seed). Models also declare learned
parameters with `parameter(name, init) -> Var` and adopt engram modules (a Score, an Attention,
an ExternalMemory) with `module(name, m)`, so that their parameters are trained and checkpointed
with the model's.
)doc")
      .def("parameter", &ModelContext::parameter, py::arg("name"), py::arg("init"))
      .def("module", &ModelContext::module, py::arg("name"), py::arg("module"))
      .def_property_readonly("rng", &ModelContext::rng, py::return_value_policy::reference_internal);

  m.def(
      "register_task",
      [](const std::string& name, py::object cls, const std::string& description, bool replace) {
        return registrar(name, cls, description, replace, [](const std::string& n, PyRefPtr c, const std::string& d, bool r) {
          ex::tasks().add(
              n, d,
              [c, n](ex::Section& cfg, const Rng& rng) -> std::unique_ptr<ex::Task> {
                py::gil_scoped_acquire gil;
                py::object obj = build_from_section(cfg, "task '" + n + "'", [&](py::object pyopt) {
                  return c->get()(pyopt, py::cast(std::make_shared<ModelContext>("task '" + n + "'", rng)));
                });
                return std::make_unique<PyTask>(std::move(obj), n);
              },
              r);
        });
      },
      R"doc(Registers a Python task under `name` (a config's `task: {name: ...}`).

Built as cls(options: Options, ctx: ModelContext) from the task section's scalar keys. It holds
the data (generated from ctx.rng or read from files) for a model registered with
register_model; optional attributes: train_size (0: generated on demand), eval_splits
(["val"]), family (a name models may check).

>>> import engram
>>> @engram.register_task("doc_bits", "random bit vectors", replace=True)
... class Bits:
...     def __init__(self, options, ctx):
...         self.n = options.integer("n", 4)
>>> "doc_bits" in dict(engram.components("tasks"))
True
)doc",
      py::arg("name"), py::arg("cls") = py::none(), py::arg("description") = "", py::arg("replace") = false);

  m.def(
      "register_model",
      [](const std::string& name, py::object cls, const std::string& description, bool replace) {
        return registrar(name, cls, description, replace, [](const std::string& n, PyRefPtr c, const std::string& d, bool r) {
          ex::models().add(
              n, d,
              [c, n](ex::Section& cfg, const ex::Task& task, Rng& rng) -> std::unique_ptr<ex::Model> {
                return std::make_unique<PyModel>(n, c, cfg, task, rng);
              },
              r);
        });
      },
      R"doc(Registers a Python model under `name` (a config's `model: {name: ...}`), trained by the C++ trainer.

Built as cls(options: Options, task, ctx: ModelContext) (task: the Python task object, or None
for a C++ task). Methods: loss(id: int, rng: Rng) -> Var [1 x 1] (training example `id`, built
from engram.ops on parameters declared with ctx.parameter); evaluate(split: str) -> dict of
metrics including "loss"; optional begin_step(step, epoch) and inspect() -> {name: array}.

>>> import numpy as np, engram
>>> from engram import ops
>>> @engram.register_model("doc_linear", "a linear model of doc_bits", replace=True)
... class Linear:
...     def __init__(self, options, task, ctx):
...         self.w = ctx.parameter("w", np.zeros((task.n, 1), np.float32))
...     def loss(self, id, rng):
...         x = rng.uniform_matrix(1, 4)
...         return ops.mse(ops.matmul(x, self.w), x.sum(keepdims=True))
...     def evaluate(self, split):
...         return {"loss": 0.0}
>>> "doc_linear" in dict(engram.components("models"))
True
)doc",
      py::arg("name"), py::arg("cls") = py::none(), py::arg("description") = "", py::arg("replace") = false);
}

}  // namespace engram::python
