// Errors raised by kernels and argument checks. The binding maps each kind to the matching JS error
// class, so a C++ check reads the same to a user as the TypeScript check in front of it.
#pragma once
#include <stdexcept>
#include <string>

namespace threadml {

enum class ErrorKind { Type, Range, Aborted, Internal };

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

[[noreturn]] inline void throw_range(const std::string& message) { throw Error(ErrorKind::Range, message); }
[[noreturn]] inline void throw_type(const std::string& message) { throw Error(ErrorKind::Type, message); }
[[noreturn]] inline void throw_aborted() { throw Error(ErrorKind::Aborted, "The operation was aborted"); }

}  // namespace threadml
