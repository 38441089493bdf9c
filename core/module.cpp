#include "core/module.h"

#include <Eigen/SVD>

#include <algorithm>
#include <cmath>

namespace engram {

template <class T>
Var<T> Module<T>::add_parameter(const std::string& name, Mat<T> init) {
  for (const auto& p : params_)
    require(p.name != name, "Module::add_parameter", "parameter '" + name + "' registered twice");
  Var<T> v(std::move(init), true);
  params_.push_back({name, v});
  return v;
}

template <class T>
void Module<T>::add_module(const std::string& name, Module& child) {
  for (const auto& c : children_)
    require(c.first != name, "Module::add_module", "module '" + name + "' registered twice");
  children_.emplace_back(name, &child);
}

template <class T>
void Module<T>::collect(const std::string& prefix, ParameterList<T>& out) const {
  for (const auto& p : params_) out.push_back({prefix + p.name, p.var});
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", out);
}

template <class T>
ParameterList<T> Module<T>::named_parameters() const {
  ParameterList<T> out;
  collect("", out);
  return out;
}

template <class T>
std::vector<Var<T>> Module<T>::parameters() const {
  std::vector<Var<T>> out;
  for (auto& p : named_parameters()) out.push_back(p.var);
  return out;
}

template <class T>
Index Module<T>::num_parameters() const {
  Index n = 0;
  for (const auto& p : named_parameters()) n += p.var.size();
  return n;
}

template <class T>
void Module<T>::set_training(bool on) {
  training_ = on;
  for (auto& c : children_) c.second->set_training(on);
}

template <class T>
void zero_grad(const ParameterList<T>& params) {
  for (const auto& p : params) {
    Var<T> v = p.var;
    v.zero_grad();
  }
}

namespace {

// sum x_i^2 in double, in 8 interleaved partial sums (lane j takes i = j mod 8) added in a fixed
// order at the end: the same number on every run, and vectorised (a single running sum is a
// chain of dependent adds, 4 cycles per element; measured 6 us of a 100 us MemN2N step)
template <class T>
double squared_norm(const T* x, Index n) {
  constexpr int kLanes = 8;
  double acc[kLanes] = {};
  Index i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) acc[j] += double(x[i + j]) * double(x[i + j]);
  for (int j = 0; i < n; ++i, ++j) acc[j] += double(x[i]) * double(x[i]);
  double sum = 0;
  for (double a : acc) sum += a;
  return sum;
}

}  // namespace

template <class T>
double clip_grad_norm(const ParameterList<T>& params, double max_norm) {
  require(max_norm > 0, "clip_grad_norm", "max_norm must be > 0, got " + std::to_string(max_norm));
  double sq = 0;
  for (const auto& p : params)
    if (p.var.grad().size()) sq += squared_norm(p.var.grad().data(), p.var.grad().size());
  const double norm = std::sqrt(sq);
  if (norm > max_norm) {
    const T k = static_cast<T>(max_norm / norm);
    for (const auto& p : params) {
      Var<T> v = p.var;
      if (v.grad().size()) v.mutable_grad() *= k;
    }
  }
  return norm;
}

template <class T>
double clip_grad_spectral(const ParameterList<T>& params, double max_norm) {
  require(max_norm > 0, "clip_grad_spectral", "max_norm must be > 0, got " + std::to_string(max_norm));
  double largest = 0;
  for (const auto& p : params) {
    Var<T> v = p.var;
    if (!v.grad().size()) continue;
    const Eigen::MatrixXd g = v.grad().template cast<double>();
    const double sigma = g.rows() == 1 || g.cols() == 1
                             ? g.norm()
                             : Eigen::BDCSVD<Eigen::MatrixXd>(g).singularValues()(0);
    largest = std::max(largest, sigma);
    if (sigma > max_norm) v.mutable_grad() *= static_cast<T>(max_norm / sigma);
  }
  return largest;
}

template class Module<float>;
template class Module<double>;
template void zero_grad(const ParameterList<float>&);
template void zero_grad(const ParameterList<double>&);
template double clip_grad_norm(const ParameterList<float>&, double);
template double clip_grad_norm(const ParameterList<double>&, double);
template double clip_grad_spectral(const ParameterList<float>&, double);
template double clip_grad_spectral(const ParameterList<double>&, double);

}  // namespace engram
