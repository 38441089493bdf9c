// engram/python/src/numpy.h — numpy arrays in and out of the bindings, one policy everywhere.
//
// In:  to_mat(obj, "what [P x N]") reads a real floating array: float32 is read as it is,
//      float64 is converted; 2-D, or 1-D taken as one row [1 x n] (engram's vectors are rows);
//      any memory layout (a non-contiguous view is gathered). Every C++ function behind the
//      bindings takes an owning row-major matrix, so this is the one copy on the way in.
//      Wrong dtype (int, bool, complex, object) -> TypeError, wrong rank -> ValueError, both
//      naming the expected form: "patterns: expected a float32 array [P x N], got int64".
// Out: to_numpy(std::move(m)) hands the matrix's buffer to numpy (no copy; a capsule frees it);
//      view(m, owner) is a row-major float32 view of storage owned by a C++ object (parameters,
//      memories, stored patterns), kept alive through `owner`, read-only unless asked.
#pragma once

#include "core/tensor.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

namespace engram::python {

namespace py = pybind11;

// Throws TypeError / ValueError as described above. `what` names the argument and its form.
MatF to_mat(py::handle obj, const std::string& what);
// Like to_mat, and checks the shape: rows / cols < 0 means any.
MatF to_mat(py::handle obj, const std::string& what, Index rows, Index cols);
// Same for double (checkpoints and gradient checks are not exposed; used for masks).
MatD to_matd(py::handle obj, const std::string& what);

// Moves the matrix to the heap and wraps its buffer (row-major, C-contiguous, writable).
py::array_t<float> to_numpy(MatF&& m);
py::array_t<double> to_numpy(MatD&& m);
py::array_t<std::int32_t> to_numpy(Mat<std::int32_t>&& m);

// A [rows x cols] float32 view of `m`, whose storage `owner` keeps alive.
py::array_t<float> view(const MatF& m, py::handle owner, bool writable);

// A list of ints (class ids, slot indices) from a sequence or a 1-D integer array; a float or
// out-of-range entry is a TypeError / ValueError naming `what`.
std::vector<int> to_ints(py::handle obj, const std::string& what);

// numpy's dtype name of obj when it is an array, else the Python type name: for messages.
std::string describe(py::handle obj);

}  // namespace engram::python
