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
#
# Byte layout of a stream file: message after message, each in Cap'n Proto's
# standard unpacked framing (u32 segment count - 1, u32 size in words of each
# segment, padding to 8 bytes, then the segments), no outer container:
#   message 0        StreamMessage.header   (magic, version, kind[, profile])
#   message 1..n-1   StreamMessage.functions | edges | names | events | loads
#                    | runWeight
#                    (each list <= kMaxChunkEntries entries; a dependencies
#                    chunk also holds <= kMaxChunkCallSites callees in all)
#   message n        StreamMessage.end      (entries over all chunks)
# Nothing may follow the end trailer. A profile stream carries edges, names
# and loads chunks in any order and at most one runWeight message (it counts
# as one entry); a dependencies stream functions chunks; a trace stream
# events chunks.
#
# Versions: a profile stream is written as version 2 (kFormatVersion), which
# added loads and runWeight; dependencies and trace streams, which did not
# change, are still written as version 1 (kFormatVersionBase), so older
# readers keep reading them. Readers take version 1 and 2 of every kind; a
# version 1 stream carrying loads or runWeight is refused.
@0x86b50a8b049b45ef;

$import "/capnp/c++.capnp".namespace("blobgraph::schema");

const kFormatMagic :Text = "blobgraph-stream";
const kFormatVersion :UInt32 = 2;       # newest: profile streams, JSON profiles
const kFormatVersionBase :UInt32 = 1;   # dependencies and trace streams; profiles without loads
const kMaxChunkEntries :UInt32 = 65536;
const kMaxChunkCallSites :UInt32 = 1048576;

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

# Profiles: warm-start statistics of one function, aggregated over the
# profile's runs, in fixed point (GraphUpdate::loads; LoadRecord::kRunWeight =
# 65536 per run): a run that first loads the function at position p adds
# 65536 to runWeight and p * 65536 to positionWeight. Repeats of a hash add
# up. positionWeight > 0 needs runWeight > 0.
struct FunctionLoad {
  hash @0 :Data;
  runWeight @1 :UInt64;
  positionWeight @2 :UInt64;
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
    loads @6 :List(FunctionLoad);   # profile streams, version 2
    runWeight @7 :UInt64;           # the run weight of all the profile's runs, at most once
  }
}

# The JSON form of a profile (one JSON document, through Cap'n Proto's JSON
# codec). Hashes and the id are hex text, so the document reads well and
# diffs well; 64-bit counts are JSON strings (the codec's rule, exact beyond
# 2^53). Version 2 added `loads` and `runWeight` (version 1 documents, which
# have neither, are read too). Example:
#   {"format":"blobgraph-profile","version":2,"id":"00ff...","sourceHost":"h",
#    "createdUnixMs":"1700000000000",
#    "edges":[{"caller":"ab..","callee":"cd..","staticCount":"1","dynamicCount":"7"}],
#    "functions":[{"hash":"ab..","name":"main"}],
#    "loads":[{"hash":"ab..","runWeight":"65536","positionWeight":"0"}],
#    "runWeight":"65536"}
const kJsonProfileFormat :Text = "blobgraph-profile";

struct JsonProfile {
  format @0 :Text;           # kJsonProfileFormat
  version @1 :UInt32;        # kFormatVersion
  id @2 :Text;               # 32 hex digits
  sourceHost @3 :Text;
  createdUnixMs @4 :Int64;
  edges @5 :List(JsonEdge);
  functions @6 :List(JsonFunction);
  loads @7 :List(JsonLoad);  # version 2
  runWeight @8 :UInt64;      # version 2: the run weight of all the profile's runs
}

struct JsonEdge {
  caller @0 :Text;           # 64 hex digits
  callee @1 :Text;
  staticCount @2 :UInt64;
  dynamicCount @3 :UInt64;
}

struct JsonFunction {
  hash @0 :Text;             # 64 hex digits
  name @1 :Text;             # empty: declared, name unknown
}

struct JsonLoad {
  hash @0 :Text;             # 64 hex digits
  runWeight @1 :UInt64;      # as FunctionLoad
  positionWeight @2 :UInt64;
}
