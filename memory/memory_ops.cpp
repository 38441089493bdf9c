// slot_cosine, softmax_scaled, interpolate, scale_by, read_memory, erase_add, update_usage,
// allocation_weighting, update_precedence, update_link, temporal_weighting, least_used_slots
#include "memory/memory_ops.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace engram::memory {

namespace {

// A weighting of `rows` sequences over n slots: [rows x n].
template <class T>
void require_weighting(const Var<T>& w, Index rows, Index n, const char* where, const char* what) {
  if (w.rows() != rows || w.cols() != n)
    require_lazy(false, where, [&] {
      return std::string(what) + " must be [" + std::to_string(rows) + " x " + std::to_string(n) + "], got " + w.shape();
    });
}

// The slots of row r sorted by ascending value, ties by index (a stable, deterministic order).
template <class T>
std::vector<Index> ascending_order(const Mat<T>& v, Index r) {
  std::vector<Index> order(static_cast<size_t>(v.cols()));
  std::iota(order.begin(), order.end(), Index{0});
  std::stable_sort(order.begin(), order.end(), [&v, r](Index a, Index b) { return v(r, a) < v(r, b); });
  return order;
}

// The number of sequences B in a batched call: rows of `w`, with `memory` [B N x W] (sequence b's
// slots in rows b N .. b N + N - 1).
template <class T>
Index slots_per_sequence(const Var<T>& memory, Index batch, const char* where, const char* what, const Var<T>& w) {
  if (batch < 1 || memory.rows() % batch != 0)
    require_lazy(false, where, [&] {
      return std::string(what) + " " + w.shape() + " needs a memory of " + std::to_string(std::max<Index>(batch, 1)) +
          " blocks of N slots, got " + memory.shape();
    });
  return memory.rows() / batch;
}

// A per-row scalar (a gate, a strength): [1 x 1] for every row, or [rows x 1] one per row.
template <class T>
void require_per_row(const Var<T>& s, Index rows, const char* where, const char* what) {
  if (s.cols() != 1 || (s.rows() != 1 && s.rows() != rows))
    require_lazy(false, where, [&] {
      return std::string(what) + " must be [1 x 1] or [" + std::to_string(rows) + " x 1], got " + s.shape();
    });
}

template <class T>
T row_value(const Mat<T>& s, Index r) {
  return s(s.rows() == 1 ? 0 : r, 0);
}

}  // namespace

template <class T>
Var<T> slot_cosine(const Var<T>& memory, const Var<T>& key, T eps) {
  const Index width = memory.cols(), batch = key.rows();
  if (key.cols() != width || batch < 1 || memory.rows() % batch != 0)
    require_lazy(false, "slot_cosine", [&] {
      return "key " + key.shape() + " must be [B x " + std::to_string(width) + "] for memory " + memory.shape() +
          " of B blocks of N slots";
    });
  const Index n = memory.rows() / batch;
  const Mat<T>& M = memory.value();                               // [B N x W]
  Mat<T> norms(batch, n), out(batch, n);                          // [B x N]
  for (Index b = 0; b < batch; ++b) {
    const auto Mb = M.middleRows(b * n, n);
    const auto kb = key.value().row(b);
    norms.row(b) = Mb.rowwise().norm().transpose();
    const T nk = std::max(kb.norm(), eps);
    out.row(b).noalias() = (Mb * kb.transpose()).transpose();     // dots
    out.row(b).array() /= norms.row(b).array().max(eps) * nk;
  }
  // d cos_i / d M_i = k / (|M_i| |k|) - cos_i M_i / |M_i|^2;  d cos_i / d k = M_i / (|M_i| |k|) - cos_i k / |k|^2
  return Var<T>::make(std::move(out), {memory, key},
      [norms, eps, n](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        const Mat<T>& M = self.inputs[0]->value;
        const Mat<T>& K = self.inputs[1]->value;
        const Mat<T>& c = self.value;
        for (Index b = 0; b < K.rows(); ++b) {
          const auto kr = K.row(b);
          const auto Mb = M.middleRows(b * n, n);
          const T rk = kr.norm(), nk = std::max(rk, eps);
          const Mat<T> a = (g.row(b).array() / (norms.row(b).array().max(eps) * nk)).matrix();  // [1 x N]
          if (gin[0]) {  // row i: a_i k - b_i M_i, b_i = g_i c_i / |M_i|^2 (0 for a zero slot); raw loops:
            const Index width = M.cols();  // a row of W alone is too short for an Eigen expression to pay
            const T* kp = kr.data();
            for (Index i = 0; i < n; ++i) {
              const T bi = norms(b, i) > eps ? g(b, i) * c(b, i) / (norms(b, i) * norms(b, i)) : T(0), ai = a(0, i);
              const T* mi = M.data() + (b * n + i) * width;
              T* gi = gin[0]->data() + (b * n + i) * width;
              for (Index j = 0; j < width; ++j) gi[j] += ai * kp[j] - bi * mi[j];
            }
          }
          if (gin[1]) {
            gin[1]->row(b).noalias() += a * Mb;                   // [1 x N][N x W]
            if (rk > eps) gin[1]->row(b) -= (g.row(b).cwiseProduct(c.row(b)).sum() / (nk * nk)) * kr;
          }
        }
      }, "slot_cosine");
}

template <class T>
Var<T> softmax_scaled(const Var<T>& x, const Var<T>& beta) {
  require_per_row(beta, x.rows(), "softmax_scaled", "beta");
  Mat<T> Z(x.rows(), x.cols());
  for (Index r = 0; r < x.rows(); ++r) Z.row(r) = row_value(beta.value(), r) * x.value().row(r);
  Z.colwise() -= Z.rowwise().maxCoeff();
  Z = (Z.array() == -std::numeric_limits<T>::infinity()).select(T(0), Z.array().exp());  // masked: exactly 0
  Z.array().colwise() /= Z.rowwise().sum().array();
  // y = softmax(b x) per row: dz = y o (g - rowsum(g o y)); dx = b dz; db = sum over unmasked x o dz
  return Var<T>::make(std::move(Z), {x, beta},
      [](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        const Mat<T>& Y = self.value;
        const Mat<T>& B = self.inputs[1]->value;
        const auto dot = (g.array() * Y.array()).rowwise().sum().eval();
        const Mat<T> dz = (Y.array() * (g.array().colwise() - dot)).matrix();
        if (gin[0])
          for (Index r = 0; r < dz.rows(); ++r) gin[0]->row(r) += row_value(B, r) * dz.row(r);
        if (gin[1])
          for (Index r = 0; r < dz.rows(); ++r)
            (*gin[1])(B.rows() == 1 ? 0 : r, 0) +=
                (Y.row(r).array() > T(0)).select(self.inputs[0]->value.row(r).array() * dz.row(r).array(), T(0)).sum();
      }, "softmax_scaled");
}

template <class T>
Var<T> interpolate(const Var<T>& a, const Var<T>& b, const Var<T>& gate) {
  if (a.rows() != b.rows() || a.cols() != b.cols())
    require_lazy(false, "interpolate", [&] {
      return "a " + a.shape() + " and b " + b.shape() + " must have one shape";
    });
  require_per_row(gate, a.rows(), "interpolate", "the gate");
  Mat<T> out(a.rows(), a.cols());
  for (Index r = 0; r < a.rows(); ++r) {
    const T gv = row_value(gate.value(), r);
    out.row(r) = gv * a.value().row(r) + (T(1) - gv) * b.value().row(r);
  }
  return Var<T>::make(std::move(out), {a, b, gate},
      [](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        const Mat<T>& G = self.inputs[2]->value;
        for (Index r = 0; r < g.rows(); ++r) {
          const T gv = row_value(G, r);
          if (gin[0]) gin[0]->row(r) += gv * g.row(r);
          if (gin[1]) gin[1]->row(r) += (T(1) - gv) * g.row(r);
          if (gin[2])
            (*gin[2])(G.rows() == 1 ? 0 : r, 0) +=
                (g.row(r).array() * (self.inputs[0]->value.row(r).array() - self.inputs[1]->value.row(r).array())).sum();
        }
      }, "interpolate");
}

template <class T>
Var<T> scale_by(const Var<T>& x, const Var<T>& s) {
  require_per_row(s, x.rows(), "scale_by", "the scale");
  Mat<T> out(x.rows(), x.cols());
  for (Index r = 0; r < x.rows(); ++r) out.row(r) = row_value(s.value(), r) * x.value().row(r);
  return Var<T>::make(std::move(out), {x, s},
      [](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        const Mat<T>& S = self.inputs[1]->value;
        for (Index r = 0; r < g.rows(); ++r) {
          if (gin[0]) gin[0]->row(r) += row_value(S, r) * g.row(r);
          if (gin[1]) (*gin[1])(S.rows() == 1 ? 0 : r, 0) += g.row(r).dot(self.inputs[0]->value.row(r));
        }
      }, "scale_by");
}

template <class T>
Var<T> read_memory(const std::vector<Var<T>>& weights, const Var<T>& memory) {
  require(!weights.empty(), "read_memory", "needs at least one read weighting");
  const Index batch = weights[0].rows();
  const Index n = slots_per_sequence(memory, batch, "read_memory", "a read weighting", weights[0]);
  for (const auto& w : weights)
    if (w.rows() != batch || w.cols() != n)
      require_lazy(false, "read_memory", [&] {
        return "a read weighting must be [" + std::to_string(batch) + " x " + std::to_string(n) + "] for memory " +
            memory.shape() + ", got " + w.shape();
      });
  if (batch == 1) {  // [R x N] [N x W] -> [R x W] -> [1 x R W]: one matmul for all heads
    if (weights.size() == 1) return matmul(weights[0], memory);
    const Var<T> r = matmul(concat(weights, 0), memory);
    return reshape(r, 1, r.size());
  }
  // B sequences: row b, head i: w_i[b] M_b, [1 x W] at columns i W .. (i + 1) W
  const Index width = memory.cols(), heads = static_cast<Index>(weights.size());
  Mat<T> out(batch, heads * width);
  for (Index b = 0; b < batch; ++b)
    for (Index i = 0; i < heads; ++i)
      out.row(b).segment(i * width, width).noalias() = weights[static_cast<size_t>(i)].value().row(b) * memory.value().middleRows(b * n, n);
  std::vector<Var<T>> inputs(weights);
  inputs.push_back(memory);
  return Var<T>::make(std::move(out), inputs,
      [n, width, heads](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        const Mat<T>& M = self.inputs[static_cast<size_t>(heads)]->value;
        auto& gm = gin[static_cast<size_t>(heads)];
        for (Index b = 0; b < g.rows(); ++b)
          for (Index i = 0; i < heads; ++i) {
            const auto gi = g.row(b).segment(i * width, width);  // [1 x W]
            if (gin[static_cast<size_t>(i)]) gin[static_cast<size_t>(i)]->row(b).noalias() += gi * M.middleRows(b * n, n).transpose();
            if (gm) gm->middleRows(b * n, n).noalias() += self.inputs[static_cast<size_t>(i)]->value.row(b).transpose() * gi;
          }
      }, "read_memory");
}

template <class T>
Var<T> erase_add(const Var<T>& memory, const Var<T>& w, const Var<T>& erase, const Var<T>& add) {
  const Index batch = w.rows(), width = memory.cols();
  const Index n = slots_per_sequence(memory, batch, "erase_add", "the write weighting", w);
  require_lazy(w.cols() == n, "erase_add", [&] {
    return "the write weighting must be [" + std::to_string(batch) + " x " + std::to_string(n) + "] for memory " +
        memory.shape() + ", got " + w.shape();
  });
  if (erase.rows() != batch || erase.cols() != width || add.rows() != batch || add.cols() != width)
    require_lazy(false, "erase_add", [&] {
      return "erase " + erase.shape() + " and add " + add.shape() + " must be [" + std::to_string(batch) + " x " +
          std::to_string(width) + "] for memory " + memory.shape();
    });
  const Mat<T>& M = memory.value();
  Mat<T> out(batch * n, width);
  // row i of block b: M_i o (1 - w_i e_b) + w_i a_b, raw loops (a row of W alone is too short for
  // an Eigen expression's set-up to pay)
  for (Index b = 0; b < batch; ++b) {
    const T* e = erase.value().data() + b * width;
    const T* a = add.value().data() + b * width;
    for (Index i = 0; i < n; ++i) {
      const T wi = w.value()(b, i);
      const T* mi = M.data() + (b * n + i) * width;
      T* oi = out.data() + (b * n + i) * width;
      for (Index j = 0; j < width; ++j) oi[j] = mi[j] * (T(1) - wi * e[j]) + wi * a[j];
    }
  }
  return Var<T>::make(std::move(out), {memory, w, erase, add},
      [n](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        const Mat<T>& M = self.inputs[0]->value;     // [B N x W]
        const Mat<T>& wv = self.inputs[1]->value;    // [B x N]
        const Index width = M.cols();
        for (Index b = 0; b < wv.rows(); ++b) {
          const T* e = self.inputs[2]->value.data() + b * width;
          if (gin[0])
            for (Index i = 0; i < n; ++i) {
              const T wi = wv(b, i);
              const T* gi = g.data() + (b * n + i) * width;
              T* dm = gin[0]->data() + (b * n + i) * width;
              for (Index j = 0; j < width; ++j) dm[j] += gi[j] * (T(1) - wi * e[j]);
            }
          if (gin[1] || gin[2]) {  // dw = g a^T - (g o M) e^T;  de = -w (g o M): products, vectorized
            const auto gb = g.middleRows(b * n, n);
            const Mat<T> gm = gb.cwiseProduct(M.middleRows(b * n, n));  // [N x W]
            const auto er = self.inputs[2]->value.row(b);
            if (gin[1]) gin[1]->row(b).noalias() += (gb * self.inputs[3]->value.row(b).transpose() - gm * er.transpose()).transpose();
            if (gin[2]) gin[2]->row(b).noalias() -= wv.row(b) * gm;
          }
          if (gin[3]) gin[3]->row(b).noalias() += wv.row(b) * g.middleRows(b * n, n);  // [1 x N][N x W]
        }
      }, "erase_add");
}

template <class T>
Var<T> update_usage(const Var<T>& usage, const std::vector<Var<T>>& prev_writes,
                    const std::vector<Var<T>>& free_gates, const std::vector<Var<T>>& prev_reads) {
  const Index n = usage.cols(), batch = usage.rows();
  require_lazy(batch >= 1, "update_usage", [&] { return "the usage must be [B x N], got " + usage.shape(); });
  require_lazy(free_gates.size() == prev_reads.size(), "update_usage", [&] {
    return std::to_string(free_gates.size()) + " free gates for " + std::to_string(prev_reads.size()) + " read heads";
  });
  Var<T> u = usage;  // [B x N]
  for (const auto& w : prev_writes) {
    require_weighting(w, batch, n, "update_usage", "a write weighting");
    u = sub(add(u, w), mul(u, w));  // u (+) w
  }
  for (size_t i = 0; i < prev_reads.size(); ++i) {
    require_weighting(prev_reads[i], batch, n, "update_usage", "a read weighting");
    require_lazy(free_gates[i].cols() == 1 && (free_gates[i].rows() == 1 || free_gates[i].rows() == batch), "update_usage", [&] {
      return "free gate " + std::to_string(i) + " must be [1 x 1] or [" + std::to_string(batch) + " x 1], got " +
          free_gates[i].shape();
    });
    u = mul(u, rsub_scalar(scale_by(prev_reads[i], free_gates[i]), T(1)));  // u o (1 - f_i w^r_i)
  }
  return u;
}

template <class T>
Var<T> allocation_weighting(const Var<T>& usage) {
  require_lazy(usage.rows() >= 1 && usage.cols() >= 1, "allocation_weighting", [&] {
    return "the usage must be [B x N], got " + usage.shape();
  });
  const Mat<T>& u = usage.value();
  const Index batch = u.rows(), n = u.cols();
  std::vector<Index> order;  // row r's sorted slots at r N .. r N + N - 1
  std::vector<T> prefix;     // prefix[r N + k] = prod_{i < k} u[r, phi_i]
  order.reserve(static_cast<size_t>(batch * n));
  prefix.resize(static_cast<size_t>(batch * n));
  Mat<T> out(batch, n);
  for (Index r = 0; r < batch; ++r) {
    const std::vector<Index> phi = ascending_order(u, r);
    order.insert(order.end(), phi.begin(), phi.end());
    T p = T(1);
    for (Index k = 0; k < n; ++k) {
      const Index j = phi[static_cast<size_t>(k)];
      prefix[static_cast<size_t>(r * n + k)] = p;
      out(r, j) = (T(1) - u(r, j)) * p;
      p *= u(r, j);
    }
  }
  return Var<T>::make(std::move(out), {usage},
      [order = std::move(order), prefix = std::move(prefix)](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        if (!gin[0]) return;
        const Mat<T>& u = self.inputs[0]->value;
        const Index n = u.cols();
        // reverse sweep per row: a_j = (1 - u_j) P_k and P_{k+1} = P_k u_j, j = phi_k; gp = dL/dP_{k+1}
        for (Index r = 0; r < u.rows(); ++r) {
          T gp = T(0);
          for (Index k = n; k-- > 0;) {
            const Index j = order[static_cast<size_t>(r * n + k)];
            (*gin[0])(r, j) += (gp - g(r, j)) * prefix[static_cast<size_t>(r * n + k)];
            gp = g(r, j) * (T(1) - u(r, j)) + gp * u(r, j);
          }
        }
      }, "allocation_weighting");
}

template <class T>
Var<T> update_precedence(const Var<T>& precedence, const Var<T>& w) {
  require_weighting(w, precedence.rows(), precedence.cols(), "update_precedence", "the write weighting");
  require_lazy(precedence.rows() >= 1, "update_precedence", [&] { return "the precedence must be [B x N], got " + precedence.shape(); });
  // [B x N] * (1 - row sums [B x 1]) + [B x N]; one sequence keeps the [1 x 1] total
  const Var<T> total = precedence.rows() == 1 ? sum(w) : sum(w, 1);
  return add(scale_by(precedence, rsub_scalar(total, T(1))), w);
}

template <class T>
Var<T> update_link(const Var<T>& link, const Var<T>& precedence, const Var<T>& w) {
  const Index batch = w.rows(), n = w.cols();
  require_lazy(batch >= 1 && link.cols() == n && link.rows() == batch * n, "update_link", [&] {
    return "the link matrix " + link.shape() + " must be [B N x N] = [" + std::to_string(batch * n) + " x " +
        std::to_string(n) + "] for the write weighting " + w.shape();
  });
  require_weighting(precedence, batch, n, "update_link", "the precedence");
  const Mat<T>& L = link.value();
  Mat<T> out(batch * n, n);
  for (Index b = 0; b < batch; ++b) {  // block b: sequence b's [N x N] links
    const auto wr = w.value().row(b).array();
    const auto pr = precedence.value().row(b).array();
    for (Index i = 0; i < n; ++i) {
      const T wi = w.value()(b, i);
      out.row(b * n + i).array() = (T(1) - wi - wr) * L.row(b * n + i).array() + wi * pr;
      out(b * n + i, i) = T(0);
    }
  }
  return Var<T>::make(std::move(out), {link, precedence, w},
      [n](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        const Mat<T>& L = self.inputs[0]->value;
        const Mat<T>& wv = self.inputs[2]->value;
        // off the diagonal: dL_ij = g_ij (1 - w_i - w_j); dp_j = sum_i g_ij w_i;
        // dw_i = sum_j g_ij (p_j - L_ij) (row terms); dw_j -= sum_i g_ij L_ij (column terms).
        // One pass over the rows of each block; each sum runs over all j and then drops its j = i term.
        Mat<T> col(1, n);  // sum_i g_ij L_ij of the block
        for (Index b = 0; b < wv.rows(); ++b) {
          const auto pr = self.inputs[1]->value.row(b).array();
          const auto wr = wv.row(b).array();
          col.setZero();
          for (Index i = 0; i < n; ++i) {
            const Index at = b * n + i;
            const T wi = wv(b, i), gii = g(at, i);
            const auto gi = g.row(at).array();
            if (gin[0]) {
              gin[0]->row(at).array() += gi * (T(1) - wi - wr);
              (*gin[0])(at, i) -= gii * (T(1) - 2 * wi);
            }
            if (gin[1]) {
              gin[1]->row(b).array() += wi * gi;
              (*gin[1])(b, i) -= wi * gii;
            }
            if (gin[2]) {
              const auto Li = L.row(at).array();
              (*gin[2])(b, i) += (gi * (pr - Li)).sum() - gii * (pr(i) - L(at, i));
              col.row(0).array() += gi * Li;
              col(0, i) -= gii * L(at, i);
            }
          }
          if (gin[2]) gin[2]->row(b) -= col;
        }
      }, "update_link");
}

template <class T>
Var<T> temporal_weighting(const Var<T>& link, const Var<T>& previous, const Var<T>& content,
                          const Var<T>& read_mode) {
  const Index batch = previous.rows(), n = previous.cols();
  require_lazy(batch >= 1 && link.cols() == n && link.rows() == batch * n, "temporal_weighting", [&] {
    return "the link matrix " + link.shape() + " must be [B N x N] = [" + std::to_string(batch * n) + " x " +
        std::to_string(n) + "] for the previous read weighting " + previous.shape();
  });
  require_weighting(content, batch, n, "temporal_weighting", "the content weighting");
  if (read_mode.rows() != batch || read_mode.cols() != 3)
    require_lazy(false, "temporal_weighting", [&] {
      return "the read modes must be [" + std::to_string(batch) + " x 3], got " + read_mode.shape();
    });
  const Mat<T>& L = link.value();
  const Mat<T>& p = previous.value();
  const Mat<T>& pi = read_mode.value();
  Mat<T> fb(2 * batch, n);  // rows 2b, 2b + 1: f = (L_b p_b^T)^T and b = p_b L_b; one pass over L
  Mat<T> out(batch, n);
  for (Index b = 0; b < batch; ++b) {
    fb.row(2 * b + 1).setZero();
    for (Index i = 0; i < n; ++i) {
      fb(2 * b, i) = L.row(b * n + i).dot(p.row(b));
      fb.row(2 * b + 1) += p(b, i) * L.row(b * n + i);
    }
    out.row(b) = pi(b, 1) * content.value().row(b);
    out.row(b).noalias() += pi(b, 0) * fb.row(2 * b + 1) + pi(b, 2) * fb.row(2 * b);
  }
  return Var<T>::make(std::move(out), {link, previous, content, read_mode},
      [n, fb = std::move(fb)](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        const Mat<T>& L = self.inputs[0]->value;
        const Mat<T>& p = self.inputs[1]->value;
        const Mat<T>& pi = self.inputs[3]->value;
        for (Index b = 0; b < p.rows(); ++b) {
          const T pb = pi(b, 0), pc = pi(b, 1), pf = pi(b, 2);
          const auto gb = g.row(b);
          if (gin[3]) {
            (*gin[3])(b, 0) += gb.dot(fb.row(2 * b + 1));
            (*gin[3])(b, 1) += gb.dot(self.inputs[2]->value.row(b));
            (*gin[3])(b, 2) += gb.dot(fb.row(2 * b));
          }
          if (gin[2]) gin[2]->row(b) += pc * gb;
          if (!gin[0] && !gin[1]) continue;
          // b = p L: dp_i += pb L_i . g, dL_i += pb p_i g;  f = L p: dp += pf g_i L_i, dL_i += pf g_i p
          for (Index i = 0; i < n; ++i) {
            const auto Li = L.row(b * n + i);
            if (gin[1]) {
              (*gin[1])(b, i) += pb * Li.dot(gb);
              gin[1]->row(b) += (pf * g(b, i)) * Li;
            }
            if (gin[0]) gin[0]->row(b * n + i) += (pb * p(b, i)) * gb + (pf * g(b, i)) * p.row(b);
          }
        }
      }, "temporal_weighting");
}

template <class T>
std::vector<Index> least_used_slots(const Mat<T>& usage, Index count) {
  require_lazy(usage.rows() == 1 && count >= 0 && count <= usage.cols(), "least_used_slots", [&] {
    return std::to_string(count) + " slots asked of a usage " + shape_str(usage);
  });
  std::vector<Index> order(static_cast<size_t>(usage.cols()));
  std::iota(order.begin(), order.end(), Index{0});
  std::partial_sort(order.begin(), order.begin() + count, order.end(), [&usage](Index a, Index b) {
    return usage(0, a) < usage(0, b) || (usage(0, a) == usage(0, b) && a < b);
  });
  order.resize(static_cast<size_t>(count));
  return order;
}

#define INST(T)                                                                                          \
  template Var<T> slot_cosine(const Var<T>&, const Var<T>&, T);                                          \
  template Var<T> softmax_scaled(const Var<T>&, const Var<T>&);                                          \
  template Var<T> interpolate(const Var<T>&, const Var<T>&, const Var<T>&);                              \
  template Var<T> scale_by(const Var<T>&, const Var<T>&);                                                \
  template Var<T> temporal_weighting(const Var<T>&, const Var<T>&, const Var<T>&, const Var<T>&);       \
  template Var<T> read_memory(const std::vector<Var<T>>&, const Var<T>&);                                \
  template Var<T> erase_add(const Var<T>&, const Var<T>&, const Var<T>&, const Var<T>&);                 \
  template Var<T> update_usage(const Var<T>&, const std::vector<Var<T>>&, const std::vector<Var<T>>&,    \
                               const std::vector<Var<T>>&);                                              \
  template Var<T> allocation_weighting(const Var<T>&);                                                   \
  template Var<T> update_precedence(const Var<T>&, const Var<T>&);                                       \
  template Var<T> update_link(const Var<T>&, const Var<T>&, const Var<T>&);                               \
  template std::vector<Index> least_used_slots(const Mat<T>&, Index);
INST(float)
INST(double)
#undef INST

}  // namespace engram::memory
