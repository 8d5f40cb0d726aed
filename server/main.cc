// blobgraph-server: the profile server as a standalone daemon. The same flags
// as `blobgraph serve` (see server/serve_command.h); the tests run it as a
// real process.
#include "server/serve_command.h"

int main(int argc, char** argv) { return blobgraph::server::ServeMain(argc, argv); }
