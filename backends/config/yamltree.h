#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace drover::config {

/// A position in the source text, 1-based; column counts characters, not bytes.
struct Mark
{
    int line = 0;
    int column = 0;
};

struct Entry;

/// A YAML value with its position. We build our own tree from yaml-cpp's events instead of
/// using YAML::Node so that every value keeps its mark, quoting is known, duplicate keys are
/// seen, and aliases are expanded under a budget (an alias bomb cannot blow up memory).
struct Node
{
    enum class Kind : std::uint8_t { Null, Scalar, Sequence, Map };

    Kind kind = Kind::Null;
    bool quoted = false;          ///< a scalar written in quotes or as a block (never null/bool)
    bool fromTemplate = false;    ///< copied into a pool by `extends:`; already validated there
    bool fromEnvironment = false; ///< a `${VAR}` put text from droverd's environment in it
    Mark mark;
    std::string scalar;
    std::vector<Node> items;    ///< Sequence
    std::vector<Entry> entries; ///< Map, in document order, keys unique

    bool isNull() const { return kind == Kind::Null; }
    bool isScalar() const { return kind == Kind::Scalar; }
    bool isSequence() const { return kind == Kind::Sequence; }
    bool isMap() const { return kind == Kind::Map; }

    /// The value of `key` in a map, or nullptr.
    const Node *find(std::string_view key) const;
    Node *find(std::string_view key);
};

struct Entry
{
    std::string key;
    Mark keyMark;
    Node value;
};

/// Where a problem is, before the file name is attached.
struct TreeError
{
    Mark mark;
    std::string message;
};

struct Limits
{
    std::size_t maxBytes = 4u << 20; ///< larger files are refused before parsing
    std::size_t maxNodes = 200'000;  ///< values after alias expansion
    int maxDepth = 64;               ///< nesting of lists and mappings
};

/// Parses one YAML document. On failure `errors` is non-empty and the tree is partial.
/// Never throws.
struct ParsedTree
{
    Node root;
    std::vector<TreeError> errors; ///< syntax and structure problems (duplicate keys...)
    bool fatal = false;            ///< the document could not be read at all
};
ParsedTree parseYaml(std::string_view text, const Limits &limits = {});

/// A short description of a value for messages: `"four"` (quoted, cut at 40 characters),
/// `a mapping`, `a list`, `nothing`.
std::string describe(const Node &node);

/// `"text"` with control characters escaped and long text cut.
std::string quote(std::string_view text, std::size_t max = 40);

/// Line/column of byte `offset` in `text` (1-based, column in characters).
Mark markAt(std::string_view text, std::size_t offset);

} // namespace drover::config

namespace drover::config {

/// Byte offsets <-> marks for one source text, for pointing at a spot inside a scalar
/// (the `${` of an unset variable, the `{{` of an unknown placeholder).
class SourceMap
{
public:
    explicit SourceMap(std::string_view text);
    std::string_view text() const { return m_text; }
    std::size_t offsetOf(Mark mark) const;
    Mark markOf(std::size_t offset) const;
    /// The mark of `needle` at or after `from` (within `window` bytes), else `from`.
    Mark find(Mark from, std::string_view needle, std::size_t window = 4096) const;

private:
    std::string_view m_text;
    std::vector<std::size_t> m_lineStarts;
};

} // namespace drover::config
