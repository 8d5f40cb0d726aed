# blobgraph's Cap'n Proto schema: what crosses a process boundary.
#
# A blobgraph stream file is a sequence of standard (unpacked) Cap'n Proto
# messages, each a StreamMessage. The first is a `header` naming the kind of
# stream; the rest are chunks of at most kMaxChunkEntries entries each, so a
# reader needs bounded memory and can set tight reader limits for untrusted
# input. The last message is an `end` trailer carrying the total entry count,
# so a truncated file is detected rather than read as a shorter one.
#
# Hashes are Data of exactly 32 bytes (SHA-256 identity hashes); profile ids
# Data of exactly 16 bytes. Readers reject any other length, naming the
# message and entry.
@0x86b50a8b049b45ef;

$import "/capnp/c++.capnp".namespace("blobgraph::schema");

const kFormatMagic :Text = "blobgraph-stream";
const kFormatVersion :UInt32 = 1;
const kMaxChunkEntries :UInt32 = 65536;

enum StreamKind {
  dependencies @0;   # per function: hash, name, callee per call site
  profile @1;        # edges with static and dynamic counts, plus identity
  trace @2;          # function-entry events in execution order
}

struct StreamHeader {
  magic @0 :Text;            # kFormatMagic
  version @1 :UInt32;        # kFormatVersion
  kind @2 :StreamKind;
  profile @3 :ProfileIdentity;  # set when kind == profile
}

# A profile's identity: a merge refuses an id it has merged before.
struct ProfileIdentity {
  id @0 :Data;               # 16 random bytes
  sourceHost @1 :Text;
  createdUnixMs @2 :Int64;
}

# Dependency sets: one entry per function.
struct Function {
  hash @0 :Data;
  name @1 :Text;             # optional: empty when unknown
  callees @2 :List(Data);    # one per call site; repeats = more call sites
}

# Profiles: one entry per edge, and names of the functions they mention.
struct ProfileEdge {
  caller @0 :Data;
  callee @1 :Data;
  staticCount @2 :UInt64;
  dynamicCount @3 :UInt64;
}

struct NamedFunction {
  hash @0 :Data;
  name @1 :Text;             # may be empty: a declared function without a name
}

# Call traces: function-entry events, in execution order. A root call has a
# caller of 32 zero bytes.
struct CallEvent {
  caller @0 :Data;
  callee @1 :Data;
}

struct StreamEnd {
  entries @0 :UInt64;        # total entries over all chunks of the stream
}

struct StreamMessage {
  union {
    header @0 :StreamHeader;
    functions @1 :List(Function);
    edges @2 :List(ProfileEdge);
    names @3 :List(NamedFunction);
    events @4 :List(CallEvent);
    end @5 :StreamEnd;
  }
}
