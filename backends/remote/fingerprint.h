#pragma once

#include <string>

typedef struct x509_st X509; // OpenSSL's, as <openssl/types.h> declares it

namespace drover::remote {

/// A certificate's SHA-256 fingerprint as `ab:cd:...` (lower-case hex, colons): what the
/// master logs at start, the console shows and a pin is compared with. Empty on failure.
std::string certificateFingerprint(X509 *cert);
/// Only the hex digits of `text`, lower-case: pins compare in any common spelling.
std::string normalizeFingerprint(std::string text);

} // namespace drover::remote
