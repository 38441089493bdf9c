// engram/python/src/py_ref.h — what the adapters of Python-defined components share: a
// reference to a Python object that registries may keep past the interpreter's end, and the
// register_x(name, cls, description, replace) decorator logic.
#pragma once

#include "python/src/numpy.h"

#include <pybind11/pybind11.h>

#include <memory>
#include <string>

namespace engram::python {

namespace py = pybind11;

inline bool interpreter_alive() {
#if PY_VERSION_HEX >= 0x030D0000
  return Py_IsInitialized() && !Py_IsFinalizing();
#else
  return Py_IsInitialized() && !_Py_IsFinalizing();
#endif
}

// Owns one reference. Registries live until the process exits, possibly after the interpreter
// is finalized: the reference is released only while the interpreter runs (taking the GIL),
// else left. Any thread may drop the last PyRef.
class PyRef {
 public:
  explicit PyRef(py::object o) : p_(o.release().ptr()) {}
  PyRef(const PyRef&) = delete;
  PyRef& operator=(const PyRef&) = delete;
  ~PyRef() {
    if (p_ && interpreter_alive()) {
      py::gil_scoped_acquire gil;
      Py_DECREF(p_);
    }
  }
  py::handle get() const { return p_; }
  py::object object() const { return py::reinterpret_borrow<py::object>(p_); }

 private:
  PyObject* p_;
};
using PyRefPtr = std::shared_ptr<PyRef>;

// register_x(name, cls=None, description="", replace=False): with cls, registers it (through
// reg(name, class, description, replace)) and returns it; without (or with a str in its place:
// the description), returns a class decorator. The description defaults to the class
// docstring's first line; registries show "(Python) <description>".
template <class Register>
py::object registrar(const std::string& name, py::object cls, std::string description, bool replace, Register reg) {
  if (name.empty()) throw py::value_error("a registered component needs a non-empty name");
  if (py::isinstance<py::str>(cls)) {  // @register_x("name", "description")
    if (!description.empty()) throw py::type_error("register '" + name + "': two descriptions given");
    description = cls.cast<std::string>();
    cls = py::none();
  }
  const auto add = [=](py::object c) {
    if (!PyCallable_Check(c.ptr()))
      throw py::type_error("register '" + name + "': expected a class (or factory), got " + describe(c));
    std::string d = description;
    if (d.empty() && py::hasattr(c, "__doc__") && !c.attr("__doc__").is_none()) {
      d = c.attr("__doc__").cast<std::string>();
      d = d.substr(0, d.find('\n'));
    }
    reg(name, std::make_shared<PyRef>(c), "(Python) " + d, replace);
    return c;
  };
  if (!cls.is_none()) return add(cls);
  return py::cpp_function(add, py::arg("cls"));
}

}  // namespace engram::python
