// engram/python/src/py_components.cpp — components written in Python, registered by name into
// the same registries as the C++ ones, so a YAML config uses them like any other and the C++
// trainer trains them.
//
//   @engram.register_score("py_scaled_dot", "q.k / sqrt(d), in Python")
//   class PyScaledDot:
//       def __init__(self, shape, options, ctx):        # ScoreShape, Options, ComponentContext
//           self.scale = options.number("scale", shape.query_dim ** -0.5)
//       def scores(self, q, k):                          # Var [m x dq], Var [n x dk] -> [m x n]
//           return engram.ops.matmul_nt(q, k) * self.scale
//
// A C++ adapter (PyScore, PyStage) derives from the component's interface, holds the Python
// object and calls it with the GIL held. Threads: the trainer's examples run on its ThreadPool;
// each call into Python takes the GIL, so Python components are correct with any
// trainer.threads but do not run in parallel (use trainer.threads: 1 for them; results do not
// depend on it). The graph a Python method builds is made of C++ ops: backward needs no GIL.
//
// Lifetime: registries may outlive the interpreter; the adapters hold their Python objects
// through PyRef (py_ref.h).
#include "attention/score.h"
#include "memory/addressing.h"
#include "python/src/bindings.h"
#include "python/src/numpy.h"
#include "python/src/py_ref.h"

#include <pybind11/stl.h>

#include <algorithm>
#include <functional>
#include <memory>

namespace engram::python {

using V = Var<float>;

namespace {

// What a Python component's __init__ gets besides its shape and options: a way to declare
// learned parameters (only during __init__) and the component's random stream.
class ComponentContext {
 public:
  ComponentContext(std::string owner, Rng rng, std::function<V(const std::string&, MatF)> add)
      : owner_(std::move(owner)), rng_(rng), add_(std::move(add)) {}
  V parameter(const std::string& name, py::handle init) {
    if (!add_)
      throw py::value_error(owner_ + ": parameters can only be declared while the component is built (in __init__)");
    if (name.empty()) throw py::value_error(owner_ + ": a parameter needs a name");
    return add_(name, to_mat(init, owner_ + " parameter '" + name + "'"));
  }
  Rng& rng() { return rng_; }
  const std::string& owner() const { return owner_; }
  void close() { add_ = nullptr; }

 private:
  std::string owner_;
  Rng rng_;
  std::function<V(const std::string&, MatF)> add_;
};

// Builds the Python object: cls(shape, options, ctx); then options.finish(owner). A ValueError or
// TypeError raised by __init__ (or by reading an option) becomes std::invalid_argument with its
// message, so a config reports it at the option's file:line like a C++ component's error.
template <class Shape>
py::object construct(const PyRefPtr& cls, const std::string& owner, const Shape& shape, const Options& opt, Rng& rng,
                     const std::function<V(const std::string&, MatF)>& add) {
  try {
    auto ctx = std::make_shared<ComponentContext>(owner, rng, add);
    py::object pyopt = py::cast(Options(opt));
    py::object obj = cls->get()(shape, pyopt, py::cast(ctx));
    ctx->close();
    pyopt.cast<Options&>().finish(owner);
    return obj;
  } catch (py::error_already_set& e) {
    if (e.matches(PyExc_ValueError) || e.matches(PyExc_TypeError))
      throw std::invalid_argument(std::string(py::str(e.value())));
    throw std::runtime_error(owner + ": " + e.what());
  }
}

py::object method(const py::object& obj, const char* name, const std::string& owner) {
  if (!py::hasattr(obj, name) || !PyCallable_Check(obj.attr(name).ptr()))
    throw std::invalid_argument(owner + ": the Python class has no method '" + name + "'");
  return obj.attr(name);
}

V result_var(const py::object& r, const std::string& owner, const char* what) {
  if (!py::isinstance<V>(r))
    throw py::type_error(owner + ": " + what + " must return an engram.Var, got " + describe(r));
  return r.cast<V>();
}

// ---- scores -------------------------------------------------------------------------------

class PyScore final : public attention::Score<float> {
 public:
  PyScore(const PyRefPtr& cls, const std::string& name, const attention::ScoreShape& shape, const Options& opt, Rng& rng)
      : owner_("score '" + name + "'"), shape_(shape) {
    py::gil_scoped_acquire gil;
    py::object obj = construct(cls, owner_, shape, opt, rng, [this](const std::string& n, MatF init) {
      return this->add_parameter(n, std::move(init));
    });
    method(obj, "scores", owner_);
    obj_ = std::make_shared<PyRef>(obj);
  }
  // q: [m x dq]  k: [n x dk]  -> [m x n]
  V scores(const V& q, const V& k) const override {
    attention::check_score_shapes(owner_.c_str(), shape_, q.rows(), q.cols(), k.rows(), k.cols());
    py::gil_scoped_acquire gil;
    py::object r = obj_->get().attr("scores")(q, k);
    V s = result_var(r, owner_, "scores(q, k)");
    if (s.rows() != q.rows() || s.cols() != k.rows())
      throw std::invalid_argument(owner_ + ": scores(q " + q.shape() + ", k " + k.shape() + ") must be " +
                                  shape_str(q.rows(), k.rows()) + ", got " + s.shape());
    return s;
  }
  py::object object() const { return py::reinterpret_borrow<py::object>(obj_->get()); }

 private:
  std::string owner_;
  attention::ScoreShape shape_;
  PyRefPtr obj_;
};

// ---- addressing stages --------------------------------------------------------------------

// What a Python stage's apply() sees: the AddressContext's values, copied (Vars are handles).
struct PyAddressContext {
  V memory, previous, usage;
  std::vector<std::pair<std::string, V>> params;
  std::string kind;
  Index head = 0, pair = 0;
  std::vector<V> links, precedences, read_weights;
  V lru_usage;

  V param(const std::string& name) const {
    for (const auto& [n, v] : params)
      if (n == name) return v;
    std::string have;
    for (const auto& [n, v] : params) have += (have.empty() ? "" : ", ") + n;
    throw py::key_error("addressing context: no value '" + name + "' (declared: " + (have.empty() ? "none" : have) +
                        ")");
  }
};

memory::Activation parse_act(py::handle a, const std::string& owner) {
  try {
    return memory::parse_activation(a.cast<std::string>());
  } catch (const std::exception& e) {
    throw std::invalid_argument(owner + ": params(): " + e.what());
  }
}

class PyStage final : public memory::AddressingStage<float> {
 public:
  PyStage(const PyRefPtr& cls, const std::string& name, const memory::AddressingShape& shape, const Options& opt, Rng& rng)
      : owner_("addressing stage '" + name + "'"), shape_(shape) {
    memory::check_shape(owner_.c_str(), shape);
    py::gil_scoped_acquire gil;
    py::object obj = construct(cls, owner_, shape, opt, rng, [this](const std::string& n, MatF init) {
      return this->add_parameter(n, std::move(init));
    });
    method(obj, "apply", owner_);
    try {
      // params: [(name, size, activation)] (a list, or a method returning one); refines: bool;
      // needs: names among "usage", "links", "lru"
      py::object p = py::hasattr(obj, "params") ? obj.attr("params") : py::list();
      if (PyCallable_Check(p.ptr())) p = p();
      for (py::handle spec : p) {
        py::tuple t = py::reinterpret_borrow<py::object>(spec).cast<py::tuple>();
        if (t.size() < 2 || t.size() > 3)
          throw std::invalid_argument(owner_ + ": params() entries are (name, size[, activation]), got " +
                                      std::string(py::repr(spec)));
        memory::ParamSpec s{t[0].cast<std::string>(), t[1].cast<Index>(),
                            t.size() == 3 ? parse_act(t[2], owner_) : memory::Activation::identity};
        params_.push_back(s);
      }
      memory::check_specs(params_, owner_);
      py::object r = py::hasattr(obj, "refines") ? obj.attr("refines") : py::bool_(false);
      if (PyCallable_Check(r.ptr())) r = r();
      refines_ = r.cast<bool>();
      py::object n = py::hasattr(obj, "needs") ? obj.attr("needs") : py::list();
      if (PyCallable_Check(n.ptr())) n = n();
      for (py::handle x : n) {
        const std::string key = x.cast<std::string>();
        if (key != "usage" && key != "links" && key != "lru")
          throw std::invalid_argument(owner_ + ": needs: unknown state '" + key + "' (usage, links, lru)");
        if (std::find(keys_.begin(), keys_.end(), key) != keys_.end()) continue;
        keys_.push_back(key);
        trackers_.push_back(memory::builtin_tracker<float>(key, shape));
      }
    } catch (py::error_already_set& e) {
      throw std::invalid_argument(owner_ + ": " + e.what());
    } catch (py::cast_error& e) {
      throw std::invalid_argument(owner_ + ": params/refines/needs of the wrong type: " + e.what());
    }
    obj_ = std::make_shared<PyRef>(obj);
  }
  std::vector<memory::ParamSpec> params() const override { return params_; }
  bool refines() const override { return refines_; }
  std::vector<std::shared_ptr<const memory::Tracker<float>>> trackers() const override { return trackers_; }
  // w: [1 x N] (undefined for a source)  ctx: memory [N x W], ...  -> [1 x N]
  V apply(const V& w, const memory::AddressContext<float>& ctx) const override {
    PyAddressContext c;
    c.memory = ctx.memory;
    c.previous = ctx.previous;
    if (ctx.params)
      for (const auto& [n, v] : ctx.params->entries()) c.params.emplace_back(n, v);
    c.kind = ctx.kind == memory::HeadKind::read ? "read" : "write";
    c.head = ctx.head;
    c.pair = ctx.pair;
    if (ctx.state) c.read_weights = ctx.state->read_weights;
    for (size_t k = 0; k < keys_.size(); ++k) {
      if (keys_[k] == "usage") {
        c.usage = tracked<memory::UsageState<float>>(ctx, k).seen;
      } else if (keys_[k] == "links") {
        const auto& l = tracked<memory::LinksState<float>>(ctx, k);
        c.links = l.links;
        c.precedences = l.precedences;
      } else {
        c.lru_usage = tracked<memory::LruState<float>>(ctx, k).usage;
      }
    }
    py::gil_scoped_acquire gil;
    py::object r = obj_->get().attr("apply")(w.defined() ? py::cast(w) : py::none(), std::move(c));
    V out = result_var(r, owner_, "apply(w, ctx)");
    memory::check_weighting_shape(owner_.c_str(), shape_, out.rows(), out.cols());
    return out;
  }

 private:
  std::string owner_;
  memory::AddressingShape shape_;
  PyRefPtr obj_;
  std::vector<memory::ParamSpec> params_;
  bool refines_ = false;
  std::vector<std::string> keys_;  // the built-in trackers named in `needs`, in order
  std::vector<std::shared_ptr<const memory::Tracker<float>>> trackers_;
};

}  // namespace

void register_components(py::module_& m) {
  py::class_<ComponentContext, std::shared_ptr<ComponentContext>>(
      m, "ComponentContext", R"doc(Given to a Python component's __init__(shape, options, ctx).

`ctx.parameter(name, init)` declares a learned parameter (a Var the C++ optimizer updates,
checkpointed under that name); `ctx.rng` is the component's seeded stream, e.g. for
`ctx.rng.normal_matrix(rows, cols, std=0.1)`.
)doc")
      .def("parameter", &ComponentContext::parameter, py::arg("name"), py::arg("init"))
      .def_property_readonly("rng", &ComponentContext::rng, py::return_value_policy::reference_internal)
      .def_property_readonly("owner", &ComponentContext::owner);

  py::class_<memory::AddressingShape>(m, "AddressingShape", "what a stage is built for: slots N, width W, heads")
      .def(py::init([](Index n, Index w, Index r, Index wr) { return memory::AddressingShape{n, w, r, wr}; }),
           py::arg("slots"), py::arg("width"), py::arg("read_heads") = 1, py::arg("write_heads") = 1)
      .def_readonly("slots", &memory::AddressingShape::slots)
      .def_readonly("width", &memory::AddressingShape::width)
      .def_readonly("read_heads", &memory::AddressingShape::read_heads)
      .def_readonly("write_heads", &memory::AddressingShape::write_heads);

  py::class_<PyAddressContext>(m, "AddressContext", R"doc(What a Python addressing stage's apply(w, ctx) reads.

memory [N x W], previous [1 x N] (this head's weighting at t-1), param(name) (the values the
stage declared in `params`, activations applied), usage, links, precedences, read_weights,
lru_usage (when declared in `needs`), kind ("read" | "write"), head, pair.
)doc")
      .def_readonly("memory", &PyAddressContext::memory)
      .def_readonly("previous", &PyAddressContext::previous)
      .def_property_readonly("usage", [](const PyAddressContext& c) -> py::object { return c.usage.defined() ? py::cast(c.usage) : py::none(); })
      .def("param", &PyAddressContext::param, py::arg("name"))
      .def_readonly("kind", &PyAddressContext::kind)
      .def_readonly("head", &PyAddressContext::head)
      .def_readonly("pair", &PyAddressContext::pair)
      .def_readonly("links", &PyAddressContext::links)
      .def_readonly("precedences", &PyAddressContext::precedences)
      .def_readonly("read_weights", &PyAddressContext::read_weights)
      .def_property_readonly("lru_usage", [](const PyAddressContext& c) -> py::object { return c.lru_usage.defined() ? py::cast(c.lru_usage) : py::none(); });

  m.def(
      "register_score",
      [](const std::string& name, py::object cls, const std::string& description, bool replace) {
        return registrar(name, cls, description, replace, [](const std::string& n, PyRefPtr c, const std::string& d, bool r) {
          attention::scores<float>().add(
              n, d,
              [c, n](const attention::ScoreShape& s, const Options& o, Rng& rng) {
                return std::unique_ptr<attention::Score<float>>(new PyScore(c, n, s, o, rng));
              },
              r);
        });
      },
      R"doc(Registers a Python score class under `name`; usable from YAML (`model.score.name`).

The class is built as cls(shape: ScoreShape, options: Options, ctx: ComponentContext) and must
have scores(q: Var [m x dq], k: Var [n x dk]) -> Var [m x n], made of engram.ops.
Without `cls` (or with the description in its place), returns a class decorator.

>>> import engram
>>> @engram.register_score("doc_dot", "q . k", replace=True)
... class DocDot:
...     def __init__(self, shape, options, ctx):
...         pass
...     def scores(self, q, k):
...         return engram.ops.matmul_nt(q, k)
>>> "doc_dot" in [n for n, _ in engram.components("scores")]
True
)doc",
      py::arg("name"), py::arg("cls") = py::none(), py::arg("description") = "", py::arg("replace") = false);

  m.def(
      "register_addressing",
      [](const std::string& name, py::object cls, const std::string& description, bool replace) {
        return registrar(name, cls, description, replace, [](const std::string& n, PyRefPtr c, const std::string& d, bool r) {
          memory::addressing_stages<float>().add(
              n, d,
              [c, n](const memory::AddressingShape& s, const Options& o, Rng& rng) {
                return std::unique_ptr<memory::AddressingStage<float>>(new PyStage(c, n, s, o, rng));
              },
              r);
        });
      },
      R"doc(Registers a Python addressing stage under `name` (usable in any head's pipeline).

Built as cls(shape: AddressingShape, options: Options, ctx: ComponentContext). Attributes (or
methods): params -> [(name, size, activation)], refines -> bool (False: a source stage),
needs -> names among "usage", "links", "lru". apply(w: Var [1 x N] | None, ctx: AddressContext)
-> Var [1 x N], weights >= 0 summing to at most 1. Without `cls` (or with the description in its
place), returns a class decorator.

>>> import engram
>>> from engram import ops
>>> @engram.register_addressing("doc_dot", "softmax(M key)", replace=True)
... class DocDot:
...     def __init__(self, shape, options, ctx):
...         self.params = [("key", shape.width, "identity")]
...     def apply(self, w, ctx):
...         return ops.softmax(ops.matmul_nt(ctx.param("key"), ctx.memory))
>>> mem = engram.ExternalMemory(8, 4, heads=[{"kind": "read", "addressing": ["doc_dot"]},
...                                          {"kind": "write", "addressing": ["content"]}])
>>> mem.interface_size   # read: key [4]; write: key [4], beta [1], erase [4], add [4]
17
)doc",
      py::arg("name"), py::arg("cls") = py::none(), py::arg("description") = "", py::arg("replace") = false);
}

}  // namespace engram::python
