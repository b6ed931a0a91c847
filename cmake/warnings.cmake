# Warnings are errors in every build of our own code.
add_compile_options(-Wall -Wextra -Wpedantic -Werror -Wshadow -Wnon-virtual-dtor
                    -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough
                    -Wno-missing-field-initializers)
