# orderly_warnings: an interface target every Orderly target links, so the
# warning set lives in one place.
add_library(orderly_warnings INTERFACE)
target_compile_options(orderly_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough
  -Wformat=2
  # GCC 12 misreports Asio's coroutine frame allocator as mismatched new/delete
  # when a coroutine is inlined into another (GCC bug 109224).
  -Wno-mismatched-new-delete)
if(ORDERLY_WERROR)
  target_compile_options(orderly_warnings INTERFACE -Werror)
endif()
