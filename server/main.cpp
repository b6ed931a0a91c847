#include <cstdio>

int main() {
  std::puts("satcheld");
  return 0;
}
