// Md5: the MD5 message digest (RFC 1321), as APOP (RFC 1939 section 7) needs it:
// digest = MD5(timestamp + shared secret), sent as 32 lowercase hex digits.
//
// Written here rather than taken from a crypto library because APOP is the only user
// and the lab's protocols are its subject. MD5 is broken as a collision-resistant hash;
// it is used only because RFC 1939 says so. Incremental: update() any number of times,
// then digest() (which leaves the object unusable until reset()).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace maillab::pop3 {

class Md5 {
 public:
  using Digest = std::array<std::uint8_t, 16>;

  Md5() { reset(); }
  void reset();
  void update(std::string_view data);
  Digest digest();

  // One-shot helpers: the raw digest and its 32-digit lowercase hex form.
  static Digest hash(std::string_view data);
  static std::string hex(std::string_view data);

 private:
  void transform(const std::uint8_t* block);

  std::array<std::uint32_t, 4> state_{};
  std::array<std::uint8_t, 64> buffer_{};
  std::uint64_t length_ = 0;  // bytes hashed so far
};

}  // namespace maillab::pop3
