#include "app/cli.hpp"

int main(int argc, char** argv) {
  return orderly::app::run_cli(argc, argv);
}
