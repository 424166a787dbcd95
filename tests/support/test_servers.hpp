#pragma once

// Where the real servers of the end-to-end suites listen: test_server_setting
// ("ORDERLY_TEST_REDIS", ...) and parse_redis_url, in namespace
// orderly::testing. The implementation is header-only in src/core so that the
// unit tests beside the code, which do not link tests/support, use the same one.
#include "core/test_servers.hpp"
