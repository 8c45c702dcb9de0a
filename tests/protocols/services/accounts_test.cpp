// services::Accounts: who may log in. A user declared without a password (or with an
// empty one) never authenticates (issue 15 item 1); names ignore case.
#include <catch2/catch.hpp>

#include "protocols/services/accounts.hpp"

using maillab::services::Accounts;

TEST_CASE("a user without a password never logs in, by any mechanism") {
  Accounts a;
  a.add("alice", std::nullopt);
  a.add("bob", std::string("builder"));
  a.add("empty", std::string());
  CHECK(a.contains("alice"));
  CHECK_FALSE(a.authenticate("alice", ""));
  CHECK_FALSE(a.authenticate("alice", "anything"));
  CHECK_FALSE(a.apop_secret("alice"));
  CHECK_FALSE(a.authenticate("empty", ""));
  CHECK_FALSE(a.apop_secret("empty"));
  CHECK(a.authenticate("bob", "builder"));
  CHECK_FALSE(a.authenticate("bob", ""));
  CHECK_FALSE(a.authenticate("bob", "builde"));
  CHECK_FALSE(a.authenticate("bob", "builder2"));
  CHECK_FALSE(a.authenticate("nobody", ""));
  CHECK(a.apop_secret("bob") == std::optional<std::string>("builder"));
}

TEST_CASE("names ignore case and keep their declared spelling; the first user is kept") {
  Accounts a;
  a.add("Carol", std::string("c"));
  a.add("bob", std::string("b"));
  REQUIRE(a.find("CAROL"));
  CHECK(*a.find("carol") == "Carol");
  CHECK(*a.find("BOB") == "bob");
  CHECK(a.authenticate("BoB", "b"));
  CHECK_FALSE(a.authenticate("bob", "B"));  // passwords do not ignore case
  REQUIRE(a.first());
  CHECK(*a.first() == "Carol");
  CHECK(a.find("bobby") == nullptr);
}

TEST_CASE("constant_time_equal compares whole strings") {
  using maillab::services::constant_time_equal;
  CHECK(constant_time_equal("", ""));
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "ab"));
  CHECK_FALSE(constant_time_equal("ab", "abc"));
  CHECK_FALSE(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}
