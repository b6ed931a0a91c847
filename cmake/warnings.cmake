# Warnings are errors in every build of our own code.
add_compile_options(-Wall -Wextra -Wpedantic -Werror -Wshadow -Wnon-virtual-dtor
                    -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough
                    -Wno-missing-field-initializers)
# g++ 12 reports false "may be used uninitialized" warnings on std::optional at -O2 (GCC bug
# 105562 and relatives); keep the check in the unoptimised test build, where it is accurate.
add_compile_options($<$<AND:$<CXX_COMPILER_ID:GNU>,$<NOT:$<CONFIG:Debug>>>:-Wno-maybe-uninitialized>)
