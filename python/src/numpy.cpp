#include "python/src/numpy.h"

#include <cstring>

namespace engram::python {

std::string describe(py::handle obj) {
  if (py::isinstance<py::array>(obj)) {
    py::array a = py::reinterpret_borrow<py::array>(obj);
    std::string shape = "(";
    for (py::ssize_t i = 0; i < a.ndim(); ++i) shape += (i ? ", " : "") + std::to_string(a.shape(i));
    shape += a.ndim() == 1 ? ",)" : ")";
    return std::string(py::str(a.dtype())) + " array of shape " + shape;
  }
  return std::string(py::str(py::type::of(obj).attr("__name__")));
}

namespace {

template <class T>
Mat<T> read_matrix(py::handle obj, const std::string& what, const char* dtype_name) {
  py::module_ np = py::module_::import("numpy");
  py::array a;
  if (py::isinstance<py::array>(obj)) {
    a = py::reinterpret_borrow<py::array>(obj);
  } else {
    // lists, tuples, scalars, anything with __array__: numpy decides what it is
    try {
      a = np.attr("asarray")(obj);
    } catch (py::error_already_set&) {
      throw py::type_error(what + ": expected a " + dtype_name + " array, got " + describe(obj));
    }
    if (a.dtype().kind() == 'O')
      throw py::type_error(what + ": expected a " + dtype_name + " array, got " + describe(obj));
    // Python floats and ints in a list are numbers the user wrote: read them as floats
    if (a.dtype().kind() == 'i' || a.dtype().kind() == 'u') a = np.attr("asarray")(a, "float64");
  }
  const char kind = a.dtype().kind();
  if (kind != 'f' || a.itemsize() > 8 || a.itemsize() < 4)
    throw py::type_error(what + ": expected a " + std::string(dtype_name) + " array (float32 or float64), got " +
                         describe(obj));
  if (a.ndim() != 1 && a.ndim() != 2)
    throw py::value_error(what + ": expected a 2-D array (or a 1-D row), got " + describe(obj));
  const Index rows = a.ndim() == 2 ? static_cast<Index>(a.shape(0)) : 1;
  const Index cols = static_cast<Index>(a.ndim() == 2 ? a.shape(1) : a.shape(0));
  Mat<T> m(rows, cols);
  if (m.size() == 0) return m;
  // one copy into the owning row-major matrix: numpy converts dtype and layout on the way
  py::array_t<T, py::array::c_style | py::array::forcecast> c =
      py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(a);
  if (!c) throw py::error_already_set();
  std::memcpy(m.data(), c.data(), sizeof(T) * static_cast<size_t>(m.size()));
  return m;
}

template <class T>
py::array_t<T> owning(Mat<T>&& m) {
  const auto rows = static_cast<py::ssize_t>(m.rows()), cols = static_cast<py::ssize_t>(m.cols());
  if (m.size() == 0) return py::array_t<T>({rows, cols});
  auto* heap = new Mat<T>(std::move(m));
  py::capsule owner(heap, [](void* p) { delete static_cast<Mat<T>*>(p); });
  return py::array_t<T>({rows, cols}, {static_cast<py::ssize_t>(sizeof(T)) * cols, static_cast<py::ssize_t>(sizeof(T))},
                        heap->data(), owner);
}

}  // namespace

MatF to_mat(py::handle obj, const std::string& what) { return read_matrix<float>(obj, what, "float32"); }

MatF to_mat(py::handle obj, const std::string& what, Index rows, Index cols) {
  MatF m = to_mat(obj, what);
  if ((rows >= 0 && m.rows() != rows) || (cols >= 0 && m.cols() != cols))
    throw py::value_error(what + ": expected shape " + shape_str(rows < 0 ? m.rows() : rows, cols < 0 ? m.cols() : cols) +
                          ", got " + shape_str(m));
  return m;
}

MatD to_matd(py::handle obj, const std::string& what) { return read_matrix<double>(obj, what, "float64"); }

py::array_t<float> to_numpy(MatF&& m) { return owning(std::move(m)); }
py::array_t<double> to_numpy(MatD&& m) { return owning(std::move(m)); }
py::array_t<std::int32_t> to_numpy(Mat<std::int32_t>&& m) { return owning(std::move(m)); }

py::array_t<float> view(const MatF& m, py::handle owner, bool writable) {
  const auto rows = static_cast<py::ssize_t>(m.rows()), cols = static_cast<py::ssize_t>(m.cols());
  py::array_t<float> a({rows, cols}, {static_cast<py::ssize_t>(sizeof(float)) * cols, static_cast<py::ssize_t>(sizeof(float))},
                       m.data(), owner);
  if (!writable) a.attr("flags").attr("writeable") = false;
  return a;
}

std::vector<int> to_ints(py::handle obj, const std::string& what) {
  py::module_ np = py::module_::import("numpy");
  py::array a;
  try {
    a = np.attr("asarray")(obj);
  } catch (py::error_already_set&) {
    throw py::type_error(what + ": expected a sequence of ints, got " + describe(obj));
  }
  if (a.dtype().kind() != 'i' && a.dtype().kind() != 'u' && !(a.size() == 0 && a.dtype().kind() == 'f'))
    throw py::type_error(what + ": expected a sequence of ints, got " + describe(obj));
  if (a.ndim() > 1) throw py::value_error(what + ": expected a 1-D sequence of ints, got " + describe(obj));
  auto c = py::array_t<long long, py::array::c_style | py::array::forcecast>::ensure(a);
  std::vector<int> out(static_cast<size_t>(c.size()));
  for (py::ssize_t i = 0; i < c.size(); ++i) {
    const long long v = c.data()[i];
    if (v < INT32_MIN || v > INT32_MAX) throw py::value_error(what + ": entry " + std::to_string(i) + " out of range");
    out[static_cast<size_t>(i)] = static_cast<int>(v);
  }
  return out;
}

}  // namespace engram::python
