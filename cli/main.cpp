#include "mycompose/cli/app.hpp"

int main(int argc, char** argv) { return mycompose::cli::run(argc, argv); }
