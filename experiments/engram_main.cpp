// The `engram` command.
#include "experiments/cli.h"

#include <iostream>

int main(int argc, char** argv) {
  return engram::experiments::cli_main(argc, argv, std::cout, std::cerr);
}
