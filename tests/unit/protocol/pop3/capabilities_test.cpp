#include "protocol/pop3/capabilities.h"

#include <doctest/doctest.h>

using namespace satchel::pop3;

TEST_CASE("CAPA in AUTHORIZATION with everything usable") {
  CapabilityContext c;
  c.stls_available = true;
  c.implementation = "Example";
  CHECK(capability_response(c) ==
        "+OK Capability list follows\r\nTOP\r\nUSER\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n"
        "PIPELINING\r\nSASL PLAIN\r\nSTLS\r\nIMPLEMENTATION Example\r\n.\r\n");
}

TEST_CASE("CAPA hides USER and SASL when plaintext passwords are refused, keeps STLS") {
  CapabilityContext c;
  c.plaintext_allowed = false;
  c.sasl_mechanisms.clear();
  c.stls_available = true;
  std::string capa = capability_response(c);
  CHECK(capa.find("USER") == std::string::npos);
  CHECK(capa.find("SASL") == std::string::npos);
  CHECK(capa.find("\r\nSTLS\r\n") != std::string::npos);
  CHECK(capa.find("\r\nTOP\r\n") != std::string::npos);
}

TEST_CASE("CAPA in TRANSACTION lists no login capabilities and never APOP or EXPIRE") {
  CapabilityContext c;
  c.authorization = false;
  c.stls_available = true;
  std::string capa = capability_response(c);
  CHECK(capa.find("USER") == std::string::npos);
  CHECK(capa.find("SASL") == std::string::npos);
  CHECK(capa.find("STLS") == std::string::npos);
  CHECK(capa.find("APOP") == std::string::npos);
  CHECK(capa.find("EXPIRE") == std::string::npos);
  CHECK(capa.find("LOGIN-DELAY") == std::string::npos);
  CHECK(capa.ends_with("IMPLEMENTATION Satchel\r\n.\r\n"));
}

TEST_CASE("CAPA lists every offered SASL mechanism on one line") {
  CapabilityContext c;
  c.sasl_mechanisms = {"SCRAM-SHA-256", "PLAIN", "LOGIN"};
  CHECK(capability_response(c).find("\r\nSASL SCRAM-SHA-256 PLAIN LOGIN\r\n") != std::string::npos);
}
