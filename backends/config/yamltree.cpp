#include "config/yamltree.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cstdio>
#include <new>
#include <optional>
#include <sstream>
#include <unordered_map>

namespace drover::config {

const Node *Node::find(std::string_view key) const
{
    for (const Entry &e : entries) {
        if (e.key == key)
            return &e.value;
    }
    return nullptr;
}

Node *Node::find(std::string_view key)
{
    return const_cast<Node *>(std::as_const(*this).find(key));
}

namespace {

bool isContinuation(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/// Thrown from inside yaml-cpp's callbacks to stop parsing; never leaves this file.
struct Abort
{
    TreeError error;
};

std::size_t subtreeSize(const Node &n)
{
    std::size_t size = 1;
    for (const Node &item : n.items)
        size += subtreeSize(item);
    for (const Entry &e : n.entries)
        size += 1 + subtreeSize(e.value);
    return size;
}

/// Turns yaml-cpp's events into a Node tree, iteratively (the stack is ours).
class Builder final : public YAML::EventHandler
{
public:
    Builder(std::string_view text, const Limits &limits, std::vector<TreeError> &errors)
        : m_text(text)
        , m_limits(limits)
        , m_errors(errors)
    {}

    Node takeRoot() { return std::move(m_root); }
    bool hasRoot() const { return m_hasRoot; }

    Mark convert(const YAML::Mark &m) const
    {
        if (m.is_null() || m.line < 0)
            return {};
        if (m.pos < 0)
            return {m.line + 1, m.column + 1};
        // yaml-cpp counts bytes within the line; editors count characters. Marks mostly come
        // in order, so continue from the last one on the same line (a document on one long
        // line must not cost a rescan per value).
        auto pos = static_cast<std::size_t>(m.pos);
        auto lineStart = static_cast<std::size_t>(m.pos - m.column);
        if (lineStart != m_colLineStart || pos < m_colPos) {
            m_colLineStart = lineStart;
            m_colPos = lineStart;
            m_colChars = 1;
        }
        for (; m_colPos < pos && m_colPos < m_text.size(); ++m_colPos) {
            if (!isContinuation(static_cast<unsigned char>(m_text[m_colPos])))
                ++m_colChars;
        }
        return {m.line + 1, m_colChars};
    }

    void OnDocumentStart(const YAML::Mark &) override {}
    void OnDocumentEnd() override {}

    void OnAnchor(const YAML::Mark &, const std::string &name) override { m_anchorName = name; }

    void OnNull(const YAML::Mark &mark, YAML::anchor_t anchor) override
    {
        Node n;
        n.mark = convert(mark);
        finishLeaf(std::move(n), anchor);
    }

    void OnAlias(const YAML::Mark &mark, YAML::anchor_t anchor) override
    {
        auto it = m_anchors.find(anchor);
        Mark at = convert(mark);
        if (it == m_anchors.end())
            throw Abort{{at, "alias refers to an anchor that is not complete yet"}};
        std::size_t size = subtreeSize(it->second.node);
        if (m_count + size > m_limits.maxNodes) {
            throw Abort{{at, "alias *" + it->second.name + " would expand the document beyond " +
                                 std::to_string(m_limits.maxNodes) + " values (an alias bomb?)"}};
        }
        m_count += size;
        Node copy = it->second.node;
        add(std::move(copy));
    }

    void OnScalar(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t anchor,
                  const std::string &value) override
    {
        Node n;
        n.mark = convert(mark);
        n.kind = Node::Kind::Scalar;
        n.quoted = tag != "?";
        n.scalar = value;
        finishLeaf(std::move(n), anchor);
    }

    void OnSequenceStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override
    {
        open(mark, Node::Kind::Sequence, anchor);
    }
    void OnSequenceEnd() override { close(); }

    void OnMapStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override
    {
        open(mark, Node::Kind::Map, anchor);
    }
    void OnMapEnd() override { close(); }

private:
    struct Frame
    {
        Node node;
        YAML::anchor_t anchor = 0;
        std::string anchorName;
        std::vector<Node> keysAndValues; // maps only: key, value, key, value...
    };
    struct Anchored
    {
        std::string name;
        Node node;
    };

    void count(const Mark &at)
    {
        if (++m_count > m_limits.maxNodes) {
            throw Abort{{at, "the document has more than " + std::to_string(m_limits.maxNodes) +
                                 " values"}};
        }
    }

    void open(const YAML::Mark &mark, Node::Kind kind, YAML::anchor_t anchor)
    {
        Frame f;
        f.node.kind = kind;
        f.node.mark = convert(mark);
        count(f.node.mark);
        if (static_cast<int>(m_stack.size()) >= m_limits.maxDepth) {
            throw Abort{{f.node.mark,
                         "nesting deeper than " + std::to_string(m_limits.maxDepth) + " levels"}};
        }
        f.anchor = anchor;
        f.anchorName = std::exchange(m_anchorName, {});
        m_stack.push_back(std::move(f));
    }

    void close()
    {
        Frame f = std::move(m_stack.back());
        m_stack.pop_back();
        if (f.node.kind == Node::Kind::Map)
            buildMap(f);
        if (f.anchor != 0)
            m_anchors[f.anchor] = {f.anchorName, f.node};
        add(std::move(f.node));
    }

    void finishLeaf(Node n, YAML::anchor_t anchor)
    {
        count(n.mark);
        std::string name = std::exchange(m_anchorName, {});
        if (n.kind == Node::Kind::Scalar && !n.quoted &&
            (n.scalar == "~" || n.scalar == "null" || n.scalar == "Null" || n.scalar == "NULL")) {
            n.kind = Node::Kind::Null;
            n.scalar.clear();
        }
        if (anchor != 0)
            m_anchors[anchor] = {std::move(name), n};
        add(std::move(n));
    }

    void add(Node n)
    {
        if (m_stack.empty()) {
            m_root = std::move(n);
            m_hasRoot = true;
            return;
        }
        Frame &top = m_stack.back();
        if (top.node.kind == Node::Kind::Map)
            top.keysAndValues.push_back(std::move(n));
        else
            top.node.items.push_back(std::move(n));
    }

    void buildMap(Frame &f)
    {
        auto &kv = f.keysAndValues;
        // `{{port}}` unquoted is YAML for a mapping whose key is the mapping {port: null}.
        // Say so, and keep the text as a string so that nothing else trips over it.
        if (kv.size() == 2 && kv[0].isMap() && kv[0].entries.size() == 1 &&
            kv[0].entries[0].value.isNull() && kv[1].isNull()) {
            std::string text = "{{" + kv[0].entries[0].key + "}}";
            m_errors.push_back({f.node.mark, "write \"" + text +
                                                 "\" in quotes: unquoted, YAML reads " + text +
                                                 " as a mapping"});
            f.node.kind = Node::Kind::Scalar;
            f.node.scalar = text;
            kv.clear();
            return;
        }
        std::unordered_map<std::string, int> seen; // key -> line, for duplicates
        seen.reserve(kv.size() / 2);
        for (std::size_t i = 0; i + 1 < kv.size(); i += 2) {
            Node &key = kv[i];
            if (!key.isScalar()) {
                m_errors.push_back(
                    {key.mark, key.isNull() ? "a key is missing its name"
                                            : "a key must be a plain name, not " + describe(key)});
                continue;
            }
            auto [dup, fresh] = seen.try_emplace(key.scalar, key.mark.line);
            if (!fresh) {
                m_errors.push_back({key.mark, "duplicate key " + quote(key.scalar) +
                                                  " (first at line " + std::to_string(dup->second) +
                                                  ")"});
                continue;
            }
            f.node.entries.push_back({std::move(key.scalar), key.mark, std::move(kv[i + 1])});
        }
        kv.clear();
    }

    std::string_view m_text;
    mutable std::size_t m_colLineStart = std::string_view::npos; // column cache for convert()
    mutable std::size_t m_colPos = 0;
    mutable int m_colChars = 1;
    const Limits &m_limits;
    std::vector<TreeError> &m_errors;
    std::vector<Frame> m_stack;
    std::unordered_map<YAML::anchor_t, Anchored> m_anchors;
    std::string m_anchorName;
    std::size_t m_count = 0;
    Node m_root;
    bool m_hasRoot = false;
};

/// Stops at the start of a second document, only to say where it is.
class SecondDocument final : public YAML::EventHandler
{
public:
    void OnDocumentStart(const YAML::Mark &mark) override { throw mark; }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark &mark, YAML::anchor_t) override { throw mark; }
    void OnAlias(const YAML::Mark &mark, YAML::anchor_t) override { throw mark; }
    void OnScalar(const YAML::Mark &mark, const std::string &, YAML::anchor_t,
                  const std::string &) override
    {
        throw mark;
    }
    void OnSequenceStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t,
                         YAML::EmitterStyle::value) override
    {
        throw mark;
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t,
                    YAML::EmitterStyle::value) override
    {
        throw mark;
    }
    void OnMapEnd() override {}
};

/// The first byte that makes `text` not UTF-8 text, or npos. Control characters other than
/// tab, newline and carriage return count as binary.
std::size_t firstInvalidByte(std::string_view text, std::string &why)
{
    const auto *s = reinterpret_cast<const unsigned char *>(text.data());
    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                char buf[8];
                std::snprintf(buf, sizeof buf, "0x%02x", c);
                why = std::string("control character ") + buf + ": this looks like a binary file";
                return i;
            }
            ++i;
            continue;
        }
        int len = (c >= 0xC2 && c <= 0xDF)   ? 2
                  : (c >= 0xE0 && c <= 0xEF) ? 3
                  : (c >= 0xF0 && c <= 0xF4) ? 4
                                             : 0;
        bool ok = len > 0 && i + len <= n;
        for (int k = 1; ok && k < len; ++k)
            ok = isContinuation(s[i + k]);
        if (ok && len == 3) {
            // overlong forms and UTF-16 surrogates
            ok = !(c == 0xE0 && s[i + 1] < 0xA0) && !(c == 0xED && s[i + 1] > 0x9F);
        } else if (ok && len == 4) {
            ok = !(c == 0xF0 && s[i + 1] < 0x90) && !(c == 0xF4 && s[i + 1] > 0x8F);
        }
        if (!ok) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "0x%02x", c);
            why = std::string("invalid UTF-8 byte ") + buf + ": save the file as UTF-8";
            return i;
        }
        i += static_cast<std::size_t>(len);
    }
    return std::string_view::npos;
}

std::string humanBytes(std::size_t bytes)
{
    char buf[32];
    if (bytes >= (1u << 20))
        std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1u << 20));
    else
        std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(bytes) / 1024);
    return buf;
}

/// The first tab in the indentation of lines 1..`lastLine`, where a syntax error is likely
/// its consequence.
std::optional<Mark> indentingTab(std::string_view text, int lastLine)
{
    int line = 1;
    bool atIndent = true;
    int column = 1;
    for (char c : text) {
        if (line > lastLine)
            break;
        if (c == '\n') {
            ++line;
            column = 1;
            atIndent = true;
            continue;
        }
        if (atIndent && c == '\t')
            return Mark{line, column};
        if (c != ' ')
            atIndent = false;
        ++column;
    }
    return std::nullopt;
}

} // namespace

Mark markAt(std::string_view text, std::size_t offset)
{
    Mark m{1, 1};
    offset = std::min(offset, text.size());
    for (std::size_t i = 0; i < offset; ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            ++m.line;
            m.column = 1;
        } else if (!isContinuation(c)) {
            ++m.column;
        }
    }
    return m;
}

std::string quote(std::string_view text, std::size_t max)
{
    std::string out = "\"";
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (!isContinuation(c) && ++chars > max) {
            out += "...";
            break;
        }
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

std::string describe(const Node &node)
{
    switch (node.kind) {
    case Node::Kind::Null:
        return "nothing";
    case Node::Kind::Map:
        return "a mapping";
    case Node::Kind::Sequence:
        return "a list";
    case Node::Kind::Scalar:
        break;
    }
    return quote(node.scalar);
}

ParsedTree parseYaml(std::string_view text, const Limits &limits)
{
    ParsedTree out;
    auto fail = [&](Mark at, std::string message) {
        out.errors.push_back({at, std::move(message)});
        out.fatal = true;
        return std::move(out);
    };
    if (text.size() > limits.maxBytes) {
        return fail({1, 1}, "the file is " + humanBytes(text.size()) + "; config files over " +
                                humanBytes(limits.maxBytes) + " are refused");
    }
    if (text.starts_with("\xEF\xBB\xBF"))
        text.remove_prefix(3);
    else if (text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF"))
        return fail({1, 1}, "the file is UTF-16 text; save it as UTF-8");
    std::string why;
    if (std::size_t bad = firstInvalidByte(text, why); bad != std::string_view::npos)
        return fail(markAt(text, bad), why);

    try {
        std::istringstream stream{std::string(text)};
        YAML::Parser parser(stream);
        Builder builder(text, limits, out.errors);
        try {
            if (!parser.HandleNextDocument(builder) || !builder.hasRoot()) {
                out.root = Node{};
                out.root.mark = {1, 1};
                return out;
            }
        } catch (const Abort &abort) {
            return fail(abort.error.mark, abort.error.message);
        }
        out.root = builder.takeRoot();
        try {
            SecondDocument second;
            parser.HandleNextDocument(second);
        } catch (const YAML::Mark &mark) {
            out.errors.push_back({builder.convert(mark),
                                  "a config file holds one YAML document; a second starts "
                                  "here (remove the \"---\" line)"});
        }
    } catch (const YAML::DeepRecursion &e) {
        return fail({e.mark.line + 1, e.mark.column + 1},
                    "nesting deeper than " + std::to_string(limits.maxDepth) + " levels");
    } catch (const YAML::Exception &e) {
        Mark at =
            e.mark.is_null() ? Mark{1, 1} : markAt(text, static_cast<std::size_t>(e.mark.pos));
        if (auto tab = indentingTab(text, at.line))
            return fail(*tab, "a tab indents this line; YAML indents with spaces only");
        std::string hint;
        if (!e.mark.is_null() && static_cast<std::size_t>(e.mark.pos) < text.size()) {
            // Cron expressions (`schedule:`) are the values most often written this way.
            const char c = text[static_cast<std::size_t>(e.mark.pos)];
            if (c == '@')
                hint = " (a value that starts with @ must be quoted: \"@daily\")";
            else if (c == '*')
                hint = " (a value that starts with * is an alias in YAML; quote a cron "
                       "expression: \"*/5 * * * *\")";
        }
        return fail(at, "YAML syntax error: " + e.msg + hint);
    } catch (const std::bad_alloc &) {
        return fail({1, 1}, "out of memory while reading the file");
    } catch (const std::exception &e) {
        return fail({1, 1}, std::string("cannot read the document: ") + e.what());
    }
    return out;
}

} // namespace drover::config

namespace drover::config {

SourceMap::SourceMap(std::string_view text)
    : m_text(text)
{
    if (m_text.starts_with("\xEF\xBB\xBF"))
        m_text.remove_prefix(3);
    m_lineStarts.push_back(0);
    for (std::size_t i = 0; i < m_text.size(); ++i) {
        if (m_text[i] == '\n')
            m_lineStarts.push_back(i + 1);
    }
}

std::size_t SourceMap::offsetOf(Mark mark) const
{
    if (mark.line < 1 || static_cast<std::size_t>(mark.line) > m_lineStarts.size())
        return m_text.size();
    std::size_t i = m_lineStarts[static_cast<std::size_t>(mark.line - 1)];
    for (int col = 1; col < mark.column && i < m_text.size() && m_text[i] != '\n'; ++col) {
        ++i;
        while (i < m_text.size() && isContinuation(static_cast<unsigned char>(m_text[i])))
            ++i;
    }
    return i;
}

Mark SourceMap::markOf(std::size_t offset) const
{
    offset = std::min(offset, m_text.size());
    auto it = std::upper_bound(m_lineStarts.begin(), m_lineStarts.end(), offset);
    auto line = static_cast<std::size_t>(it - m_lineStarts.begin());
    int column = 1;
    for (std::size_t i = m_lineStarts[line - 1]; i < offset; ++i) {
        if (!isContinuation(static_cast<unsigned char>(m_text[i])))
            ++column;
    }
    return {static_cast<int>(line), column};
}

Mark SourceMap::find(Mark from, std::string_view needle, std::size_t window) const
{
    std::size_t start = offsetOf(from);
    if (start >= m_text.size())
        return from;
    std::string_view region = m_text.substr(start, window);
    std::size_t at = region.find(needle);
    return at == std::string_view::npos ? from : markOf(start + at);
}

} // namespace drover::config
