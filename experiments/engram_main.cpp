// The `engram` command.
#include "core/allocator.h"
#include "experiments/cli.h"

#include <iostream>

int main(int argc, char** argv) {
  engram::keep_freed_memory();
  return engram::experiments::cli_main(argc, argv, std::cout, std::cerr);
}
