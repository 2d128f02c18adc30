#pragma once

#include "api/result.h"
#include "api/role.h"
#include "config/spec.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace drover::remote {

/// One access token as the master knows it: only the SHA-256 of the token is ever stored.
struct TokenEntry
{
    std::string name;
    api::Role role = api::Role::Viewer;
    std::string sha256;         ///< lower-case hex of SHA-256(token text)
    std::int64_t createdMs = 0; ///< Unix ms; 0 for tokens written in the config
    bool fromConfig = false;    ///< in master.auth.tokens (revoke it there)
};

/// Lower-case hex SHA-256 of `text` (OpenSSL).
std::string sha256Hex(std::string_view text);

/// The tokens a master accepts: those of the config (`master.auth.tokens`) and those of the
/// tokens file in its state dir (`<state_dir>/tokens.json`, made by `droverd token create`,
/// mode 0600, written atomically: temp file, fsync, rename). Plain value; not thread-safe.
class TokenStore
{
public:
    /// Reads the tokens file (a missing file is no tokens); an unreadable or malformed file
    /// is an error that says which file and what is wrong. A name in both the file and the
    /// config is an error too.
    static api::Result<TokenStore> load(const std::string &stateDir,
                                        const std::vector<config::TokenSpec> &fromConfig);

    bool empty() const { return m_entries.empty(); }
    const std::vector<TokenEntry> &entries() const { return m_entries; }

    /// The entry whose hash matches SHA-256(token), comparing every entry's hash in constant
    /// time (CRYPTO_memcmp, no early exit over entries); nothing for a wrong token.
    std::optional<TokenEntry> verify(std::string_view token) const;

    /// Makes a token of 32 random bytes (RAND_bytes) written as `drv_` + 43 base64url
    /// characters, adds `{name, role, sha256, created}` to the tokens file and returns the
    /// token text (the only time it exists). A name already used (file or config) is an error.
    static api::Result<std::string> create(const std::string &stateDir,
                                           const std::vector<config::TokenSpec> &fromConfig,
                                           const std::string &name, api::Role role);
    /// Removes `name` from the tokens file; a token of the config cannot be revoked here (the
    /// error says to remove it from the config); an unknown name is an error.
    static api::Result<bool> revoke(const std::string &stateDir,
                                    const std::vector<config::TokenSpec> &fromConfig,
                                    const std::string &name);

    static std::string filePath(const std::string &stateDir); ///< `<state_dir>/tokens.json`

private:
    std::vector<TokenEntry> m_entries;
};

} // namespace drover::remote
