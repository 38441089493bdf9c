// engram/experiments/models/babi_models.h — the bAbI story models `memn2n` and `kv_memnn`
// (networks/memn2n.h, networks/kv_memnn.h) as registered Models of the `babi` family.
#pragma once

namespace engram::experiments::babi {

// Keeps this file's registrations (babi_models.cpp) linked into programs that use the static
// library, like register_babi() for the task. Idempotent.
void register_babi_models();

}  // namespace engram::experiments::babi
