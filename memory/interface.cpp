#include "memory/interface.h"

#include "core/registry.h"

#include <set>

namespace engram::memory {

namespace {
constexpr Activation kActivations[] = {Activation::identity, Activation::tanh,    Activation::sigmoid,
                                       Activation::softplus, Activation::oneplus, Activation::softmax};
}  // namespace

const char* activation_name(Activation a) {
  switch (a) {
    case Activation::identity: return "identity";
    case Activation::tanh: return "tanh";
    case Activation::sigmoid: return "sigmoid";
    case Activation::softplus: return "softplus";
    case Activation::oneplus: return "oneplus";
    case Activation::softmax: return "softmax";
  }
  return "?";
}

Activation parse_activation(const std::string& name) {
  std::vector<std::string> known;
  for (Activation a : kActivations) {
    if (name == activation_name(a)) return a;
    known.push_back(activation_name(a));
  }
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  const std::string near = nearest_name(name, known);
  throw std::invalid_argument("unknown activation '" + name + "'" +
                              (near.empty() ? std::string() : " (did you mean '" + near + "'?)") + "; known: " + list);
}

Index interface_size(const std::vector<ParamSpec>& specs) {
  Index n = 0;
  for (const auto& s : specs) n += s.size;
  return n;
}

void check_specs(const std::vector<ParamSpec>& specs, const std::string& owner) {
  std::set<std::string> seen;
  for (const auto& s : specs) {
    require(!s.name.empty(), owner.c_str(), "a parameter has an empty name");
    require_lazy(s.size >= 1, owner.c_str(), [&] {
      return "parameter '" + s.name + "' has size " + std::to_string(s.size) + " (needs >= 1)";
    });
    require_lazy(seen.insert(s.name).second, owner.c_str(), [&] {
      return "parameter '" + s.name + "' is declared twice (two stages of one head ask for the same name)";
    });
  }
}

template <class T>
Var<T> activate(const Var<T>& x, Activation a) {
  switch (a) {
    case Activation::identity: return x;
    case Activation::tanh: return tanh(x);
    case Activation::sigmoid: return sigmoid(x);
    case Activation::softplus: return softplus(x);
    case Activation::oneplus: return oneplus(x);
    case Activation::softmax: return softmax(x);
  }
  return x;
}

template <class T>
void HeadParams<T>::set(const std::string& name, Var<T> value) {
  for (auto& [n, v] : values_)
    if (n == name) {
      v = std::move(value);
      return;
    }
  values_.emplace_back(name, std::move(value));
}

template <class T>
bool HeadParams<T>::has(const std::string& name) const {
  for (const auto& [n, v] : values_)
    if (n == name) return true;
  return false;
}

template <class T>
const Var<T>& HeadParams<T>::get(const std::string& name) const {
  for (const auto& [n, v] : values_)
    if (n == name) return v;
  std::string list;
  for (const auto& [n, v] : values_) list += (list.empty() ? "" : ", ") + n;
  throw std::invalid_argument(owner_ + ": no parameter '" + name + "' (has: " + (list.empty() ? "none" : list) +
                              "); the stage that reads it must declare it in params()");
}

template <class T>
Var<T> activate_segments(const Var<T>& interface, Index offset, const std::vector<ParamSpec>& specs) {
  const Index total = interface_size(specs);
  if (interface.rows() < 1 || offset < 0 || offset + total > interface.cols())
    require_lazy(false, "activate_segments", [&] {
      return "needs columns [" + std::to_string(offset) + ", " +
          std::to_string(offset + total) + ") of a [B x n] interface, got " +
          interface.shape();
    });
  Mat<T> out(interface.rows(), total);
  for (Index r = 0; r < interface.rows(); ++r) {  // each row one sequence's values
    const auto x = interface.value().row(r).segment(offset, total).array();
    auto y = out.row(r).array();
    Index at = 0;
    for (const auto& s : specs) {
      const auto xs = x.segment(at, s.size);
      auto ys = y.segment(at, s.size);
      switch (s.activation) {
        case Activation::identity: ys = xs; break;
        case Activation::tanh: ys = xs.tanh(); break;
        case Activation::sigmoid: ys = T(0.5) * ((xs * T(0.5)).tanh() + T(1)); break;  // no overflow
        case Activation::softplus: ys = xs.max(T(0)) + (-xs.abs()).exp().log1p(); break;
        case Activation::oneplus: ys = xs.max(T(0)) + (-xs.abs()).exp().log1p() + T(1); break;
        case Activation::softmax: ys = (xs - xs.maxCoeff()).exp(); ys /= ys.sum(); break;
      }
      at += s.size;
    }
  }
  return Var<T>::make(std::move(out), {interface},
      [offset, specs](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        if (!gin[0]) return;
        for (Index r = 0; r < g.rows(); ++r) {
          const auto x = self.inputs[0]->value.row(r).array();
          const auto y = self.value.row(r).array();
          const auto gr = g.row(r).array();
          auto dx = gin[0]->row(r).array();
          Index at = 0;
          for (const auto& s : specs) {
            const Index n = s.size;
            auto d = dx.segment(offset + at, n);
            const auto ys = y.segment(at, n);
            const auto gs = gr.segment(at, n);
            const auto xs = x.segment(offset + at, n);
            switch (s.activation) {
              case Activation::identity: d += gs; break;
              case Activation::tanh: d += gs * (T(1) - ys * ys); break;
              case Activation::sigmoid: d += gs * ys * (T(1) - ys); break;
              case Activation::softplus:
              case Activation::oneplus: d += gs * T(0.5) * ((xs * T(0.5)).tanh() + T(1)); break;
              case Activation::softmax: d += ys * (gs - (gs * ys).sum()); break;
            }
            at += n;
          }
        }
      }, "activate_segments");
}

template <class T>
HeadParams<T> slice_activated(const Var<T>& activated, Index offset, const std::vector<ParamSpec>& specs,
                              const std::string& owner) {
  const Index total = interface_size(specs);
  require_lazy(activated.rows() >= 1 && offset >= 0 && offset + total <= activated.cols(), "slice_activated", [&] {
    return owner + ": needs columns [" + std::to_string(offset) + ", " + std::to_string(offset + total) +
        ") of [B x n] rows, got " + activated.shape();
  });
  HeadParams<T> out(owner);
  Index at = offset;
  for (const auto& s : specs) {
    const bool whole = at == 0 && s.size == activated.cols();
    out.set(s.name, whole ? activated : slice_cols(activated, at, s.size));
    at += s.size;
  }
  return out;
}

template <class T>
HeadParams<T> split_interface_at(const Var<T>& interface, Index offset, const std::vector<ParamSpec>& specs,
                                 const std::string& owner) {
  const Index total = interface_size(specs);
  require_lazy(interface.rows() >= 1 && offset >= 0 && offset + total <= interface.cols(), "split_interface", [&] {
    return owner + ": needs columns [" + std::to_string(offset) + ", " + std::to_string(offset + total) +
        ") of a [B x n] interface, got " + interface.shape();
  });
  return slice_activated(activate_segments(interface, offset, specs), 0, specs, owner);
}

template <class T>
HeadParams<T> split_interface(const Var<T>& interface, const std::vector<ParamSpec>& specs, const std::string& owner) {
  const Index total = interface_size(specs);
  require_lazy(interface.rows() >= 1 && interface.cols() == total, "split_interface", [&] {
    return owner + ": the parameters need a [B x " + std::to_string(total) + "] interface, got " + interface.shape();
  });
  return split_interface_at(interface, 0, specs, owner);
}

#define INST(T)                                                                                              \
  template Var<T> activate(const Var<T>&, Activation);                                                       \
  template class HeadParams<T>;                                                                              \
  template HeadParams<T> split_interface(const Var<T>&, const std::vector<ParamSpec>&, const std::string&);  \
  template HeadParams<T> split_interface_at(const Var<T>&, Index, const std::vector<ParamSpec>&, const std::string&); \
  template Var<T> activate_segments(const Var<T>&, Index, const std::vector<ParamSpec>&);                   \
  template HeadParams<T> slice_activated(const Var<T>&, Index, const std::vector<ParamSpec>&, const std::string&);
INST(float)
INST(double)
#undef INST

}  // namespace engram::memory
