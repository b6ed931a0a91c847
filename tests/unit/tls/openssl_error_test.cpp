#include "tls/openssl_error.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <doctest/doctest.h>

using namespace satchel::tls;

TEST_CASE("last_error_string gives OpenSSL's reasons without repeats and empties the queue") {
  clear_errors();
  CHECK(last_error_string("nothing") == "nothing");
  ERR_raise(ERR_LIB_SSL, SSL_R_WRONG_VERSION_NUMBER);
  ERR_raise(ERR_LIB_SSL, SSL_R_WRONG_VERSION_NUMBER);
  ERR_raise(ERR_LIB_SSL, SSL_R_NO_SHARED_CIPHER);
  CHECK(last_error_string() == "wrong version number; no shared cipher");
  CHECK(ERR_peek_error() == 0);
  CHECK(last_error_string() == "unknown TLS error");
}
