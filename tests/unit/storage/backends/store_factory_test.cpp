#include "storage/backends/store_factory.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "../storage_test_util.h"

using namespace satchel;
using namespace satchel::storage;

TEST_CASE("the factory opens maildir: locations, expanding ~/ to the home") {
  test::TempDir tmp;
  auto factory = make_store_factory();
  StoreLocation where{"alice", tmp.path, "maildir:~/Mail", ""};
  auto store = factory->open(where);
  REQUIRE(store.ok());
  CHECK(std::filesystem::is_directory(tmp.path + "/Mail/cur"));
  REQUIRE((*store)->create("Sent").ok());
  CHECK(std::filesystem::is_directory(tmp.path + "/Mail/.Sent/new"));

  StoreLocation abs{"bob", "", "maildir:" + tmp.path + "/bob", tmp.path + "/idx/u/bob.sqlite"};
  REQUIRE(factory->open(abs).ok());
  CHECK(std::filesystem::exists(tmp.path + "/idx/u/bob.sqlite"));
  CHECK_FALSE(std::filesystem::exists(tmp.path + "/bob/satchel.index.sqlite"));
}

TEST_CASE("the factory refuses unknown schemes and relative paths") {
  auto factory = make_store_factory();
  for (const char* loc : {"mbox:/var/mail/x", "imap://x", "/no/scheme", "maildir:relative"}) {
    CAPTURE(loc);
    auto store = factory->open(StoreLocation{"u", "/home/u", loc, ""});
    REQUIRE_FALSE(store.ok());
    CHECK(store.error().kind == ErrorKind::Permanent);
  }
}
