#include "jsoncheck.h"

#include <QByteArrayView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <memory>
#include <vector>

namespace Ferry::Wire {

namespace {

// One open object or array while scanning. The keys of all open objects live in one flat
// list (a level's keys start at `firstKey`), so a page of thousands of small records costs
// no allocation per record.
struct Level
{
    bool object = false;
    bool expectKey = false; // in an object: the next string is a key
    size_t firstKey = 0;
    std::unique_ptr<QSet<QByteArrayView>> many; // from kLinearKeys keys on
};

constexpr size_t kLinearKeys = 16;

// The string token starting at text[begin] (a quote): returns the index past its closing
// quote and sets `*escaped` if it holds a backslash.
qsizetype scanString(QByteArrayView text, qsizetype begin, bool *escaped)
{
    const char *data = text.data();
    qsizetype i = begin + 1;
    for (; i < text.size(); ++i) {
        if (data[i] == '\\') {
            *escaped = true;
            ++i; // skip the escaped character
        } else if (data[i] == '"') {
            break;
        }
    }
    return qMin(i + 1, text.size());
}

// Rare: a string with escapes. Qt's parser decodes it; `*badSurrogate` tells whether the
// result is not valid UTF-16.
QByteArray decodeEscaped(QByteArrayView token, bool *badSurrogate)
{
    QByteArray wrapped;
    wrapped.reserve(token.size() + 2);
    wrapped.append('[').append(token).append(']');
    const QString decoded = QJsonDocument::fromJson(wrapped).array().at(0).toString();
    *badSurrogate = !QStringView(decoded).isValidUtf16();
    return decoded.toUtf8();
}

} // namespace

QString strictJsonProblem(const QByteArray &bytes, int maxDepth)
{
    const QByteArrayView text(bytes);
    const char *data = text.data();
    std::vector<Level> stack;
    std::vector<QByteArrayView> keys; // views into `text` or into `decodedKeys`
    std::vector<std::unique_ptr<QByteArray>> decodedKeys; // stable storage for escaped keys
    for (qsizetype i = 0; i < text.size();) {
        const char c = data[i];
        switch (c) {
        case '{':
        case '[':
            if (stack.size() >= size_t(maxDepth))
                return QStringLiteral("it is nested deeper than %1 levels").arg(maxDepth);
            stack.push_back(Level {c == '{', c == '{', keys.size(), nullptr});
            ++i;
            break;
        case '}':
        case ']':
            if (!stack.empty()) {
                keys.resize(stack.back().firstKey);
                stack.pop_back();
            }
            ++i;
            break;
        case ',':
            if (!stack.empty() && stack.back().object)
                stack.back().expectKey = true;
            ++i;
            break;
        case '"': {
            bool escaped = false;
            const qsizetype end = scanString(text, i, &escaped);
            const QByteArrayView token = text.sliced(i, end - i);
            i = end;
            const bool isKey = !stack.empty() && stack.back().expectKey;
            QByteArrayView key;
            if (escaped) {
                bool badSurrogate = false;
                QByteArray decoded = decodeEscaped(token, &badSurrogate);
                if (badSurrogate)
                    return QStringLiteral(
                        "a string holds an unpaired UTF-16 surrogate (a \\u escape)");
                if (!isKey)
                    break;
                decodedKeys.push_back(std::make_unique<QByteArray>(std::move(decoded)));
                key = *decodedKeys.back();
            } else if (isKey) {
                key = token.size() >= 2 ? token.sliced(1, token.size() - 2) : QByteArrayView();
            } else {
                break;
            }
            Level &level = stack.back();
            level.expectKey = false;
            const size_t count = keys.size() - level.firstKey;
            bool seen = false;
            if (level.many) {
                seen = level.many->contains(key);
            } else {
                for (size_t k = level.firstKey; k < keys.size() && !seen; ++k)
                    seen = keys[k] == key;
            }
            if (seen)
                return QStringLiteral("the key \"%1\" appears twice in one object")
                    .arg(QString::fromUtf8(key.first(qMin<qsizetype>(key.size(), 80))));
            keys.push_back(key);
            if (level.many) {
                level.many->insert(key);
            } else if (count + 1 == kLinearKeys) {
                level.many = std::make_unique<QSet<QByteArrayView>>(
                    keys.begin() + qsizetype(level.firstKey), keys.end());
            }
            break;
        }
        default:
            ++i;
        }
    }
    return {};
}

} // namespace Ferry::Wire
