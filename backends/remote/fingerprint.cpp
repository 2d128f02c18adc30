#include "remote/fingerprint.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cctype>

namespace drover::remote {

std::string normalizeFingerprint(std::string text)
{
    std::string out;
    for (char c : text) {
        if (std::isxdigit(static_cast<unsigned char>(c)))
            out += char(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string certificateFingerprint(X509 *cert)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!cert || X509_digest(cert, EVP_sha256(), md, &n) != 1)
        return {};
    static const char *hex = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < n; ++i) {
        if (i)
            out += ':';
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

} // namespace drover::remote
