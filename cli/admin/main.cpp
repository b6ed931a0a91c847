#include <cstdio>

int main() {
  std::puts("satchel-admin");
  return 0;
}
