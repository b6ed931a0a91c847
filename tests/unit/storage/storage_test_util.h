// Helpers shared by the storage unit tests: a real temporary directory removed afterwards,
// and short ways to open a Maildir store and append to it.
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "storage/maildir/maildir_store.h"

namespace satchel::storage::test {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/satchel-storage-XXXXXX";
    char* p = ::mkdtemp(tmpl);
    REQUIRE(p != nullptr);
    path = p;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string maildir() const { return path + "/Maildir"; }
};

inline std::unique_ptr<maildir::MaildirStore> open_store(const TempDir& dir) {
  auto store = maildir::MaildirStore::open_root(dir.maildir(), "");
  REQUIRE(store.ok());
  return std::move(store.value());
}

inline AppendResult append(MailStore& store, std::string_view mailbox, std::string_view text,
                           std::uint8_t flags = 0, std::time_t date = 1700000000,
                           std::vector<std::string> keywords = {}) {
  auto sink = store.begin_append(mailbox);
  REQUIRE(sink.ok());
  REQUIRE((*sink)->write(text).ok());
  auto res = (*sink)->commit(Flags{flags, std::move(keywords)}, date, 60);
  REQUIRE(res.ok());
  return res.value();
}

inline std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline void write_file(const std::string& path, std::string_view data, std::time_t mtime = 0) {
  {
    std::ofstream f(path, std::ios::binary);
    f.write(data.data(), static_cast<std::streamsize>(data.size()));
    REQUIRE(f.good());
  }
  if (mtime != 0) {
    struct timeval tv[2] = {{mtime, 0}, {mtime, 0}};
    REQUIRE(::utimes(path.c_str(), tv) == 0);
  }
}

// Moves a directory's mtime into the past, as if the last change were long ago.
inline void age_dir(const std::string& path, std::time_t when = 1600000000) {
  struct timeval tv[2] = {{when, 0}, {when, 0}};
  REQUIRE(::utimes(path.c_str(), tv) == 0);
}

}  // namespace satchel::storage::test
