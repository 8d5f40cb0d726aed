# The profile server's RPC interface (Cap'n Proto RPC over TCP, optionally TLS).
#
# A client connects and receives the bootstrap ProfileService. The only thing
# it can do with it is authenticate(): with a token configured on the server
# every other capability is reachable only through the Session that a correct
# token returns. Bulk data moves in bounded chunks (at most
# blobgraph.capnp's kMaxChunkEntries entries per call) over streaming methods
# (`-> stream`), so both sides hold one chunk at a time in flight and flow
# control keeps a fast sender from flooding a slow receiver.
#
# Push:  session.beginPush(identity) -> PushSession; addEdges/addNames/
#        addFunctions/addRun/addLoads in any order and any number of chunks;
#        commit() with the totals the client sent and the push's run weight. The server applies the whole push as
#        one atomic store write, synced to disk, and only then answers commit.
#        Pushes are idempotent by identity.id: a repeated id answers
#        alreadyApplied = true and changes nothing, so a client that lost its
#        connection simply pushes again.
# Retract: session.beginRetract(identity) -> PushSession, streamed like a
#        push; commit subtracts what the profile's merge added, once.
# Pull:  session.pull(options, sink): the server calls the client's sink with
#        chunks of edges, names, functions and loads (the load records of the
#        functions it sends), then answers with a summary that carries its
#        run weight total.
#
# Load statistics (addLoads, sink.loads, commit's and PullSummary's
# runWeight) are in LoadRecord's fixed point, 65536 per run, as in profile
# files (Stream.FunctionLoad). They came after the first version of this
# interface, at new ordinals, so old and new peers still talk: an older
# client pushes none (runWeight 0) and does not ask for them in a pull
# (PullOptions.includeLoads), so its sink is never called with them; a
# newer client calls addLoads only when it has loads, which an older server
# refuses as unimplemented (the push fails whole, nothing is dropped).
#
# Hashes are Data of exactly 32 bytes, profile ids Data of exactly 16 bytes;
# anything else is refused with a message naming the method and the entry.
@0xa7a146d1d68a5e68;

$import "/capnp/c++.capnp".namespace("blobgraph::schema");

using Stream = import "blobgraph.capnp";

interface ProfileService {
  # Returns a Session when `token` matches the server's (compared in constant
  # time), or when the server has no token. Otherwise fails with
  # "authentication failed".
  authenticate @0 (token :Data) -> (session :Session);
}

interface Session {
  # Starts a push. When the id was merged before, `alreadyApplied` is true
  # and `push` is null: nothing needs to be sent.
  beginPush @0 (profile :Stream.ProfileIdentity) -> (push :PushSession, alreadyApplied :Bool);

  # Streams the merged graph (or its hot part, see PullOptions) into `sink`.
  pull @1 (options :PullOptions, sink :ProfileSink) -> (summary :PullSummary);

  # Functions to fetch at start, most likely and earliest first.
  startSet @2 (max :UInt32) -> (functions :List(Data));

  # Callees of `caller`, most probable first; at most `max` (0: all).
  callees @3 (caller :Data, max :UInt32) -> (callees :List(Callee));

  # Prefetch predictions from the server's hot snapshot.
  prefetch @4 (start :Data, options :PrefetchParams) -> (predictions :List(Prediction));

  stats @5 () -> (stats :ServerStats);

  # Starts a retraction: the client streams the profile's contents through
  # `retraction` as for a push (same methods, same totals at commit); commit
  # subtracts exactly what merging the profile added (GraphStore::Retract,
  # checked against the digest kept with its id), synced, and answers
  # alreadyApplied = true when it was retracted before. alreadyRetracted is
  # answered at once (retraction null) for an id retracted before; an id
  # never merged fails with "not found".
  beginRetract @6 (profile :Stream.ProfileIdentity)
      -> (retraction :PushSession, alreadyRetracted :Bool);

  # The merged profiles (retracted ones too), in id order: at most `max`
  # (0 or more than the server's cap: the cap, kMaxProfileEntries) of
  # `total`; `truncated` when some were left out.
  profiles @7 (max :UInt32) -> (profiles :List(ProfileEntry), total :UInt64, truncated :Bool);
}

const kMaxProfileEntries :UInt32 = 10000;

struct ProfileEntry {
  id @0 :Data;               # 16 bytes
  sourceHost @1 :Text;
  createdUnixMs @2 :Int64;
  mergedUnixMs @3 :Int64;
  edges @4 :UInt64;          # edge entries the profile carried
  retracted @5 :Bool;
  retractedUnixMs @6 :Int64;
  digest @7 :Data;           # 32 bytes, ProfileDigest; all zero: merged before digests
}

interface PushSession {
  addEdges @0 (edges :List(Stream.ProfileEdge)) -> stream;
  addNames @1 (names :List(Stream.NamedFunction)) -> stream;
  addFunctions @2 (functions :List(Data)) -> stream;
  addRun @3 (loadOrder :List(Data)) -> stream;   # one run's first-load order
  # The totals the client sent; a mismatch fails the push (nothing applied).
  # runWeight: the run weight of the runs behind the addLoads entries (not
  # counting addRun's runs, which count themselves).
  commit @4 (edges :UInt64, names :UInt64, functions :UInt64, runs :UInt64,
             loads :UInt64, runWeight :UInt64)
      -> (alreadyApplied :Bool, edgesApplied :UInt64);
  # Aggregated warm-start statistics (GraphUpdate::loads); a positionWeight
  # without a runWeight is refused.
  addLoads @5 (loads :List(Stream.FunctionLoad)) -> stream;
}

struct PullOptions {
  # All zero: the whole merged graph. Otherwise the hot part: functions
  # ranked by observed calls (in + out), keeping at most maxFunctions of them,
  # whose edges fit in maxBytes, each with at least minCalls calls.
  maxFunctions @0 :UInt64;
  maxBytes @1 :UInt64;
  minCalls @2 :UInt64;
  includeNames @3 :Bool = true;
  # Set by clients whose sink has `loads`: the server then sends the load
  # records of the functions it sends (all of them for a full pull) and its
  # run weight. Unset (older clients): no loads, runWeight 0.
  includeLoads @4 :Bool = false;
}

interface ProfileSink {
  edges @0 (edges :List(Stream.ProfileEdge)) -> stream;
  names @1 (names :List(Stream.NamedFunction)) -> stream;
  functions @2 (functions :List(Data)) -> stream;
  loads @3 (loads :List(Stream.FunctionLoad)) -> stream;
}

struct PullSummary {
  functions @0 :UInt64;   # functions selected (all of them for a full pull)
  edges @1 :UInt64;
  names @2 :UInt64;
  declared @3 :UInt64;    # entries sent through sink.functions
  loads @4 :UInt64;       # entries sent through sink.loads
  runWeight @5 :UInt64;   # the server's run weight total (with includeLoads)
}

struct Callee {
  callee @0 :Data;
  staticCount @1 :UInt64;
  dynamicCount @2 :UInt64;
  probability @3 :Float64;
}

struct PrefetchParams {
  maxDepth @0 :UInt32 = 2;
  topN @1 :UInt32 = 4;
  minProbability @2 :Float64 = 0.1;
  maxResults @3 :UInt32 = 16;
}

struct Prediction {
  hash @0 :Data;
  probability @1 :Float32;
  depth @2 :UInt32;
}

struct ServerStats {
  functions @0 :UInt64;
  edges @1 :UInt64;
  staticTotal @2 :UInt64;
  dynamicTotal @3 :UInt64;
  bytesOnDisk @4 :UInt64;
  runs @5 :UInt64;
  profiles @6 :UInt64;
  pushesApplied @7 :UInt64;     # since the server started
  pushesDuplicate @8 :UInt64;
  pushesFailed @9 :UInt64;
  edgesApplied @10 :UInt64;
  connectionsOpen @11 :UInt32;
  connectionsTotal @12 :UInt64;
  snapshotVersion @13 :UInt64;
  snapshotFunctions @14 :UInt64;
  snapshotEdges @15 :UInt64;
  uptimeMs @16 :UInt64;
}
