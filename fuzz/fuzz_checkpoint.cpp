// Fuzzes the checkpoint reader: the raw bytes, and the same bytes with the header's size and
// checksum fixed up (so that the fuzzer reaches the entries behind the checksum). Every
// failure must be a CheckpointError; loading parameters from what parses must check names and
// shapes before it assigns anything.
#include "core/checkpoint.h"
#include "core/module.h"

#include <cstdint>
#include <cstring>
#include <string>

using namespace engram;

namespace {

void exercise(const std::string& bytes) {
  try {
    const Checkpoint ck = Checkpoint::parse(bytes, "fuzz.ck");
    for (const auto& name : ck.names()) {
      try { (void)ck.get_tensor<float>(name); } catch (const CheckpointError&) {}
      try { (void)ck.get_tensor<double>(name, 2, 3); } catch (const CheckpointError&) {}
      try { (void)ck.get_u64s(name); } catch (const CheckpointError&) {}
      try { (void)ck.get_string(name); } catch (const CheckpointError&) {}
    }
    Var<float> w(MatF::Zero(2, 3), true), b(MatF::Zero(1, 3), true);
    ParameterList<float> params{{"w", w}, {"b", b}};
    try {
      load_parameters(ck, params);
    } catch (const CheckpointError&) {
      if (!w.value().isZero() || !b.value().isZero()) __builtin_trap();  // a refused load changes nothing
    }
  } catch (const CheckpointError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  exercise(bytes);
  constexpr size_t header = 8 + 4 + 8;
  if (bytes.size() >= header + 8) {
    const std::uint64_t payload = bytes.size() - header - 8;
    std::memcpy(bytes.data() + 12, &payload, 8);
    const std::uint64_t sum = fnv1a64(bytes.data() + header, payload);
    std::memcpy(bytes.data() + header + payload, &sum, 8);
    exercise(bytes);
  }
  return 0;
}
