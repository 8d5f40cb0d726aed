// The blobgraph command: dispatches to one subcommand per file in tools/.
#include "tools/command.h"

int main(int argc, char** argv) { return blobgraph::tools::Main(argc, argv); }
