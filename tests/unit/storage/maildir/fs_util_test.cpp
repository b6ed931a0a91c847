#include "storage/maildir/fs_util.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include "../storage_test_util.h"
#include "message/message.h"

using namespace satchel::storage::maildir;

TEST_CASE("CrlfCounter agrees with to_crlf when fed one byte at a time") {
  for (std::string s : {"a\nb\r\nc\rd", "\r", "\r\r\n\n", "plain", "x\r\n\r\n", ""}) {
    CAPTURE(s);
    CrlfCounter whole;
    whole.feed(s);
    CrlfCounter bytes;
    for (char c : s) bytes.feed(std::string_view(&c, 1));
    CHECK(whole.finish() == satchel::message::to_crlf(s).size());
    CHECK(bytes.finish() == satchel::message::to_crlf(s).size());
  }
}

TEST_CASE("remove_tree_at deletes a tree without following symlinks") {
  satchel::storage::test::TempDir tmp;
  std::filesystem::create_directories(tmp.path + "/victim");
  satchel::storage::test::write_file(tmp.path + "/victim/keep", "precious");
  std::filesystem::create_directories(tmp.path + "/t/sub");
  satchel::storage::test::write_file(tmp.path + "/t/sub/f", "x");
  std::filesystem::create_directory_symlink(tmp.path + "/victim", tmp.path + "/t/link");
  UniqueFd root(::open(tmp.path.c_str(), O_RDONLY | O_DIRECTORY));
  REQUIRE(remove_tree_at(root.get(), "t").ok());
  CHECK_FALSE(std::filesystem::exists(tmp.path + "/t"));
  CHECK(std::filesystem::exists(tmp.path + "/victim/keep"));
}

TEST_CASE("open_dir_at refuses a symlinked directory") {
  satchel::storage::test::TempDir tmp;
  std::filesystem::create_directories(tmp.path + "/real");
  std::filesystem::create_directory_symlink(tmp.path + "/real", tmp.path + "/.evil");
  UniqueFd root(::open(tmp.path.c_str(), O_RDONLY | O_DIRECTORY));
  CHECK_FALSE(open_dir_at(root.get(), ".evil").ok());
  CHECK(open_dir_at(root.get(), "real").ok());
}
