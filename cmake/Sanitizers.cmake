# ORDERLY_SANITIZE=ON instruments everything (the `asan` preset).
# vptr is left out: its check reads /proc/self/maps, so it reports false
# "invalid vptr" errors while the accept back-off test has used up every file
# descriptor on purpose.
if(ORDERLY_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
