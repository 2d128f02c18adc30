// Secret values: the name rule, hiding them in worker environments and in the YAML text.
//
// The text is redacted in place, value by value, from the positions yaml-cpp reports: a
// viewer still sees the file as written (comments, order, layout), only the secret values
// read "<hidden>". Positions are only start marks, so the end of each value is found by
// reading its source (quotes, block indentation, or the folded text of a plain value), and
// the result is parsed again and compared with the original event by event. Anything that
// does not match hides the whole text instead: a redaction must never leak.
#include "config/secrets.h"

#include "config/yamltree.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace drover::config {

bool looksSecret(std::string_view key)
{
    std::string lower(key);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (std::string_view word : {"token", "secret", "password", "key"}) {
        if (lower.find(word) != std::string::npos)
            return true;
    }
    return false;
}

std::vector<std::string> redactEnvironment(const std::vector<std::string> &env,
                                           const std::vector<std::string> &secretNames)
{
    std::unordered_set<std::string_view> secret(secretNames.begin(), secretNames.end());
    std::vector<std::string> out;
    out.reserve(env.size());
    for (const std::string &entry : env) {
        std::size_t eq = entry.find('=');
        std::string_view name = std::string_view(entry).substr(0, eq);
        if (eq != std::string::npos && (secret.contains(name) || looksSecret(name)))
            out.push_back(std::string(name) + "=" + std::string(kHiddenValue));
        else
            out.push_back(entry);
    }
    return out;
}

namespace {

struct Event
{
    enum class Kind : std::uint8_t { Scalar, Null, Alias, SeqStart, MapStart, End };
    Kind kind = Kind::Null;
    bool flow = false;
    YAML::anchor_t anchor = 0; ///< the anchor it defines; for an alias, the one it names
    std::size_t pos = 0;       ///< byte offset of the start mark
    std::string tag;
    std::string value;
};

/// Every event of the first document, in order. Throws on a syntax error (yaml-cpp) or when a
/// second document follows.
class Recorder final : public YAML::EventHandler
{
public:
    std::vector<Event> events;

    void OnDocumentStart(const YAML::Mark &) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark &mark, YAML::anchor_t anchor) override
    {
        push(Event::Kind::Null, mark, anchor);
    }
    void OnAlias(const YAML::Mark &mark, YAML::anchor_t anchor) override
    {
        push(Event::Kind::Alias, mark, anchor);
    }
    void OnScalar(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t anchor,
                  const std::string &value) override
    {
        Event &e = push(Event::Kind::Scalar, mark, anchor);
        e.tag = tag;
        e.value = value;
    }
    void OnSequenceStart(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value style) override
    {
        Event &e = push(Event::Kind::SeqStart, mark, anchor);
        e.tag = tag;
        e.flow = style == YAML::EmitterStyle::Flow;
    }
    void OnSequenceEnd() override { end(); }
    void OnMapStart(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value style) override
    {
        Event &e = push(Event::Kind::MapStart, mark, anchor);
        e.tag = tag;
        e.flow = style == YAML::EmitterStyle::Flow;
    }
    void OnMapEnd() override { end(); }

private:
    void end()
    {
        Event e;
        e.kind = Event::Kind::End;
        events.push_back(std::move(e));
    }
    Event &push(Event::Kind kind, const YAML::Mark &mark, YAML::anchor_t anchor)
    {
        Event e;
        e.kind = kind;
        e.anchor = anchor;
        e.pos = mark.pos < 0 ? std::string::npos : static_cast<std::size_t>(mark.pos);
        events.push_back(std::move(e));
        return events.back();
    }
};

struct NotRedactable
{
};

std::vector<Event> record(std::string_view text)
{
    std::istringstream stream{std::string(text)};
    YAML::Parser parser(stream);
    Recorder recorder;
    parser.HandleNextDocument(recorder);
    Recorder second;
    if (parser.HandleNextDocument(second) && !second.events.empty())
        throw NotRedactable{};
    return std::move(recorder.events);
}

/// For each event, the index just past its subtree.
std::vector<std::size_t> subtreeEnds(const std::vector<Event> &events)
{
    std::vector<std::size_t> next(events.size());
    std::vector<std::size_t> open;
    for (std::size_t i = 0; i < events.size(); ++i) {
        switch (events[i].kind) {
        case Event::Kind::SeqStart:
        case Event::Kind::MapStart:
            open.push_back(i);
            break;
        case Event::Kind::End:
            if (open.empty())
                throw NotRedactable{};
            next[open.back()] = i + 1;
            open.pop_back();
            next[i] = i + 1;
            break;
        default:
            next[i] = i + 1;
        }
    }
    if (!open.empty())
        throw NotRedactable{};
    return next;
}

/// The scalar events to hide: every scalar below a key that looks secret, every value of a
/// mapping holding `secret: true`, and what an alias in such a place refers to.
std::set<std::size_t> secretScalars(const std::vector<Event> &events,
                                    const std::vector<std::size_t> &next)
{
    std::unordered_map<YAML::anchor_t, std::size_t> anchors;
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (events[i].kind != Event::Kind::Alias && events[i].kind != Event::Kind::End &&
            events[i].anchor != 0)
            anchors[events[i].anchor] = i;
    }
    auto isScalar = [&](std::size_t i, std::string_view value) {
        return events[i].kind == Event::Kind::Scalar && events[i].value == value;
    };
    std::set<std::size_t> hide;
    std::unordered_set<std::size_t> followed; // anchors already hidden through an alias
    std::vector<std::pair<std::size_t, bool>> stack;
    if (!events.empty())
        stack.emplace_back(0, false);
    while (!stack.empty()) {
        auto [i, secret] = stack.back();
        stack.pop_back();
        const Event &e = events[i];
        switch (e.kind) {
        case Event::Kind::Scalar:
            if (secret)
                hide.insert(i);
            break;
        case Event::Kind::Alias:
            if (auto a = anchors.find(e.anchor);
                secret && a != anchors.end() && followed.insert(a->second).second)
                stack.emplace_back(a->second, true);
            break;
        case Event::Kind::SeqStart:
            for (std::size_t c = i + 1; c < next[i] - 1; c = next[c])
                stack.emplace_back(c, secret);
            break;
        case Event::Kind::MapStart: {
            std::vector<std::size_t> kv;
            for (std::size_t c = i + 1; c < next[i] - 1; c = next[c])
                kv.push_back(c);
            bool marked = false; // `secret: true` in this mapping
            for (std::size_t k = 0; k + 1 < kv.size(); k += 2)
                marked = marked || (isScalar(kv[k], "secret") && isScalar(kv[k + 1], "true"));
            for (std::size_t k = 0; k + 1 < kv.size(); k += 2) {
                const Event &key = events[kv[k]];
                bool plainKey = key.kind == Event::Kind::Scalar;
                // The flag itself is not a secret, whatever is around it.
                bool flag = isScalar(kv[k], "secret") &&
                            (isScalar(kv[k + 1], "true") || isScalar(kv[k + 1], "false"));
                stack.emplace_back(kv[k], false);
                stack.emplace_back(
                    kv[k + 1], !flag && (secret || marked || (plainKey && looksSecret(key.value))));
            }
            break;
        }
        case Event::Kind::Null:
        case Event::Kind::End:
            break;
        }
    }
    return hide;
}

bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

std::size_t lineEnd(std::string_view text, std::size_t from)
{
    std::size_t end = text.find('\n', from);
    return end == std::string_view::npos ? text.size() : end;
}

/// Where the plain scalar `value` written at `pos` ends: its text folded as YAML folds it
/// (a single line break reads as a space, n > 1 as n - 1 newlines, spaces around breaks go).
std::optional<std::size_t> plainEnd(std::string_view text, std::size_t pos, std::string_view value)
{
    std::size_t i = 0;
    std::size_t j = pos;
    while (i < value.size()) {
        if (j >= text.size())
            return std::nullopt;
        char c = text[j];
        if (isBlank(c) || c == '\r' || c == '\n') {
            std::size_t k = j;
            std::size_t breaks = 0;
            while (k < text.size() && (isBlank(text[k]) || text[k] == '\r' || text[k] == '\n')) {
                breaks += text[k] == '\n';
                ++k;
            }
            if (breaks == 0) {
                if (value.substr(i, k - j) != text.substr(j, k - j))
                    return std::nullopt;
                i += k - j;
            } else if (breaks == 1) {
                if (value[i] != ' ')
                    return std::nullopt;
                ++i;
            } else {
                if (value.substr(i, breaks - 1) != std::string(breaks - 1, '\n'))
                    return std::nullopt;
                i += breaks - 1;
            }
            j = k;
            continue;
        }
        if (value[i] != c)
            return std::nullopt;
        ++i;
        ++j;
    }
    return j;
}

struct Edit
{
    std::size_t begin;
    std::size_t end;
    std::string_view with;
};

constexpr std::string_view kQuotedHidden = "\"<hidden>\"";

/// The edits that replace the scalar whose start mark is at `pos`.
std::optional<std::vector<Edit>> hideScalar(std::string_view text, std::size_t pos, const Event &e)
{
    // Skip a tag and an anchor written before the value.
    while (pos < text.size() && (text[pos] == '!' || text[pos] == '&')) {
        while (pos < text.size() && !isBlank(text[pos]) && text[pos] != '\n' && text[pos] != '\r')
            ++pos;
        while (pos < text.size() && isBlank(text[pos]))
            ++pos;
    }
    if (pos >= text.size())
        return std::nullopt;
    const char c = text[pos];
    if (c == '"' || c == '\'') {
        for (std::size_t j = pos + 1; j < text.size(); ++j) {
            if (c == '"' && text[j] == '\\') {
                ++j;
            } else if (text[j] == c) {
                if (c == '\'' && j + 1 < text.size() && text[j + 1] == '\'') {
                    ++j; // '' is a quote inside single quotes
                    continue;
                }
                return std::vector<Edit>{{pos, j + 1, kQuotedHidden}};
            }
        }
        return std::nullopt;
    }
    if (c == '|' || c == '>') {
        // The header (indicators, maybe a comment) stays on its line; the content lines, more
        // indented than the line the header is on, go.
        std::size_t headerEnd = pos + 1;
        while (headerEnd < text.size() &&
               (text[headerEnd] == '+' || text[headerEnd] == '-' ||
                std::isdigit(static_cast<unsigned char>(text[headerEnd]))))
            ++headerEnd;
        std::size_t lineStart = text.rfind('\n', pos);
        lineStart = lineStart == std::string_view::npos ? 0 : lineStart + 1;
        std::size_t ownIndent = 0;
        while (lineStart + ownIndent < text.size() && text[lineStart + ownIndent] == ' ')
            ++ownIndent;
        std::size_t headerLineEnd = lineEnd(text, pos);
        std::size_t contentEnd = headerLineEnd;
        std::size_t indent = 0; // of the content, from its first non-empty line
        for (std::size_t at = headerLineEnd; at < text.size();) {
            std::size_t start = at + 1;
            std::size_t end = lineEnd(text, start);
            std::size_t spaces = 0;
            while (start + spaces < end && text[start + spaces] == ' ')
                ++spaces;
            bool empty = std::all_of(text.begin() + static_cast<long>(start + spaces),
                                     text.begin() + static_cast<long>(end),
                                     [](char ch) { return isBlank(ch) || ch == '\r'; });
            if (!empty) {
                if (indent == 0)
                    indent = spaces;
                if (spaces <= ownIndent || spaces < indent)
                    break;
                contentEnd = end;
            }
            at = end;
        }
        std::vector<Edit> edits{{pos, headerEnd, kQuotedHidden}};
        if (contentEnd > headerLineEnd)
            edits.push_back({headerLineEnd, contentEnd, {}});
        return edits;
    }
    auto end = plainEnd(text, pos, e.value);
    if (!end)
        return std::nullopt;
    return std::vector<Edit>{{pos, *end, kQuotedHidden}};
}

/// The redacted text reads like the original with exactly the hidden values changed.
bool sameApartFromHidden(const std::vector<Event> &before, const std::vector<Event> &after,
                         const std::set<std::size_t> &hidden)
{
    if (before.size() != after.size())
        return false;
    for (std::size_t i = 0; i < before.size(); ++i) {
        const Event &a = before[i];
        const Event &b = after[i];
        if (a.kind != b.kind || a.anchor != b.anchor || a.flow != b.flow)
            return false;
        if (hidden.contains(i)) {
            if (b.value != kHiddenValue)
                return false;
        } else if (a.value != b.value || a.tag != b.tag) {
            return false;
        }
    }
    return true;
}

RedactedText wholly()
{
    RedactedText r;
    r.text = "# <hidden>: this config could not be shown with only its secret values hidden\n";
    r.whollyHidden = true;
    return r;
}

RedactedText redact(std::string_view input)
{
    std::string_view bom;
    std::string_view text = input;
    if (text.starts_with("\xEF\xBB\xBF")) {
        bom = text.substr(0, 3);
        text.remove_prefix(3);
    }
    if (text.size() > Limits{}.maxBytes)
        return wholly();
    std::vector<Event> events = record(text);
    std::vector<std::size_t> next = subtreeEnds(events);
    std::set<std::size_t> hidden = secretScalars(events, next);

    std::vector<Edit> edits;
    for (std::size_t i : hidden) {
        auto more = hideScalar(text, events[i].pos, events[i]);
        if (!more)
            return wholly();
        edits.insert(edits.end(), more->begin(), more->end());
    }
    std::sort(edits.begin(), edits.end(),
              [](const Edit &a, const Edit &b) { return a.begin < b.begin; });
    RedactedText r;
    r.text = std::string(bom);
    std::size_t done = 0;
    for (const Edit &edit : edits) {
        if (edit.begin < done || edit.end < edit.begin || edit.end > text.size())
            return wholly();
        r.text.append(text.substr(done, edit.begin - done));
        r.text.append(edit.with);
        done = edit.end;
    }
    r.text.append(text.substr(done));
    r.hidden = hidden.size();

    if (!sameApartFromHidden(events, record(std::string_view(r.text).substr(bom.size())), hidden))
        return wholly();
    return r;
}

} // namespace

RedactedText redactConfig(std::string_view yamlText)
{
    try {
        return redact(yamlText);
    } catch (...) { // a syntax error, a second document, out of memory: show nothing
        return wholly();
    }
}

std::string redactConfigText(std::string_view yamlText)
{
    return redactConfig(yamlText).text;
}

} // namespace drover::config
