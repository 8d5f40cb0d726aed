// Status and Result<T>: the error model at blobgraph's library boundary.
//
// Every public function that can fail returns a Status (a code and a message)
// or a Result<T> (a value or a non-OK Status). No exception crosses
// include/blobgraph/. Messages put the subject first and say where:
//   "deps.bin: offset 4096: callee hash has 31 bytes, expected 32"
// Both types are plain values; any thread may use its own copies.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace blobgraph {

class [[nodiscard]] Status {
 public:
  enum class Code : uint8_t {
    kOk,
    kNotFound,      // the thing asked for does not exist
    kInvalidInput,  // malformed file, bad hash text, bad flag value
    kCorruption,    // stored data fails its checks
    kIOError,       // the OS or RocksDB failed to read or write
    kBusy,          // the store is in use by another process
    kIncompatible,  // a store of a newer format or not a blobgraph store
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status NotFound(std::string message) { return {Code::kNotFound, std::move(message)}; }
  static Status InvalidInput(std::string message) {
    return {Code::kInvalidInput, std::move(message)};
  }
  static Status Corruption(std::string message) { return {Code::kCorruption, std::move(message)}; }
  static Status IOError(std::string message) { return {Code::kIOError, std::move(message)}; }
  static Status Busy(std::string message) { return {Code::kBusy, std::move(message)}; }
  static Status Incompatible(std::string message) {
    return {Code::kIncompatible, std::move(message)};
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "invalid input: deps.txt: line 3: ..." — for logs and the command line.
  std::string ToString() const;
  static const char* CodeName(Code code);

  // Returns a copy whose message is "<context>: <message>".
  Status WithContext(const std::string& context) const;

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// A value of type T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok().
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace blobgraph

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define BLOBGRAPH_RETURN_IF_ERROR(expr)      \
  do {                                       \
    ::blobgraph::Status _bg_status = (expr); \
    if (!_bg_status.ok()) return _bg_status; \
  } while (0)
