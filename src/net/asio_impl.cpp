// The one translation unit that compiles Asio (BOOST_ASIO_SEPARATE_COMPILATION).
#include <boost/asio/impl/src.hpp>
// Asio's TLS layer on OpenSSL, compiled here too (used only by TLS listeners).
#include <boost/asio/ssl/impl/src.hpp>
