// lstm_cell, gru_cell
#include "core/ops_detail.h"

namespace engram {

template <class T>
Var<T> lstm_cell(const Var<T>& z, const Var<T>& c) {
  const Index n = c.rows(), H = c.cols();
  if (z.rows() != n || z.cols() != 4 * H || H == 0)
    require_lazy(false, "lstm_cell", [&] {
      return "pre-activations " + z.shape() + " must be [n x 4H] for the cell " + c.shape() +
          " [n x H], H > 0";
    });
  const auto Z = z.value().array();
  // act = [i | f | o | g], the gates after their nonlinearities: [n x 4H]
  Mat<T> act(n, 4 * H);
  act.leftCols(3 * H) = (T(0.5) * ((T(0.5) * Z.leftCols(3 * H)).tanh() + T(1))).matrix();  // stable sigmoid
  act.rightCols(H) = Z.rightCols(H).tanh().matrix();
  const auto A = act.array();
  Mat<T> out(n, 2 * H);                                                   // [h' | c']
  out.rightCols(H) = (A.middleCols(H, H) * c.value().array() + A.leftCols(H) * A.rightCols(H)).matrix();
  Mat<T> tc = out.rightCols(H).array().tanh().matrix();                  // tanh(c'): [n x H]
  out.leftCols(H) = (A.middleCols(2 * H, H) * tc.array()).matrix();
  return Var<T>::make(std::move(out), {z, c},
      [act = std::move(act), tc = std::move(tc), H](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        const auto A = act.array();
        const auto i = A.leftCols(H), f = A.middleCols(H, H), o = A.middleCols(2 * H, H), gg = A.rightCols(H);
        const auto gh = g.array().leftCols(H);
        // total gradient reaching c': through h' = o tanh(c') and directly
        const Mat<T> dc = (g.array().rightCols(H) + gh * o * (T(1) - tc.array().square())).matrix();
        const auto DC = dc.array();
        if (gin[0]) {
          Mat<T>& dz = *gin[0];
          dz.leftCols(H).array() += DC * gg * i * (T(1) - i);                                  // i
          dz.middleCols(H, H).array() += DC * self.inputs[1]->value.array() * f * (T(1) - f);  // f
          dz.middleCols(2 * H, H).array() += gh * tc.array() * o * (T(1) - o);                 // o
          dz.rightCols(H).array() += DC * i * (T(1) - gg.square());                            // g
        }
        if (gin[1]) gin[1]->array() += DC * f;
      }, "lstm_cell");
}

template <class T>
Var<T> gru_cell(const Var<T>& xz, const Var<T>& hz, const Var<T>& h) {
  const Index n = h.rows(), H = h.cols();
  if (xz.rows() != n || hz.rows() != n || xz.cols() != 3 * H || hz.cols() != 3 * H || H == 0)
    require_lazy(false, "gru_cell", [&] {
      return "pre-activations " + xz.shape() + " (input) and " + hz.shape() + " (hidden) must be [n x 3H] for the state " +
          h.shape() + " [n x H], H > 0";
    });
  const auto X = xz.value().array(), Hz = hz.value().array();
  // act = [r | z | m], the gates after their nonlinearities: [n x 3H]
  Mat<T> act(n, 3 * H);
  act.leftCols(2 * H) = (T(0.5) * ((T(0.5) * (X.leftCols(2 * H) + Hz.leftCols(2 * H))).tanh() + T(1))).matrix();
  act.rightCols(H) = (X.rightCols(H) + act.array().leftCols(H) * Hz.rightCols(H)).tanh().matrix();
  const auto A = act.array();
  Mat<T> out = ((T(1) - A.middleCols(H, H)) * A.rightCols(H) + A.middleCols(H, H) * h.value().array()).matrix();
  return Var<T>::make(std::move(out), {xz, hz, h},
      [act = std::move(act), H](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        const auto A = act.array();
        const auto r = A.leftCols(H), z = A.middleCols(H, H), m = A.rightCols(H);
        const auto G = g.array();
        const auto hn = self.inputs[1]->value.array().rightCols(H);  // hz_n
        const Mat<T> dm = (G * (T(1) - z) * (T(1) - m.square())).matrix();                                // at xz_n
        const Mat<T> dz = (G * (self.inputs[2]->value.array() - m) * z * (T(1) - z)).matrix();            // at z's sum
        const Mat<T> dr = (dm.array() * hn * r * (T(1) - r)).matrix();                                    // at r's sum
        for (int k = 0; k < 2; ++k)
          if (gin[k]) {
            Mat<T>& d = *gin[k];
            d.leftCols(H) += dr;
            d.middleCols(H, H) += dz;
            if (k == 0) d.rightCols(H) += dm;
            else d.rightCols(H).array() += dm.array() * r;
          }
        if (gin[2]) gin[2]->array() += G * z;
      }, "gru_cell");
}

#define INST(T) template Var<T> lstm_cell(const Var<T>&, const Var<T>&); \
  template Var<T> gru_cell(const Var<T>&, const Var<T>&, const Var<T>&);
ENGRAM_INSTANTIATE_FLOAT_DOUBLE(INST)
#undef INST

}  // namespace engram
