#include "jsoncheck.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QList>
#include <QSet>

namespace Ferry::Wire {

namespace {

// One open object or array while scanning.
struct Level
{
    bool object = false;
    bool expectKey = false; // in an object: the next string is a key
    QList<QByteArray> keys; // small objects: compared one by one
    QSet<QByteArray> keySet; // large objects: from kLinearKeys keys on
};

constexpr qsizetype kLinearKeys = 16;

// The string token starting at text[begin] (a quote). Sets `*end` past its closing quote
// and `*escaped` if it holds a backslash.
void scanString(const QByteArray &text, qsizetype begin, qsizetype *end, bool *escaped)
{
    qsizetype i = begin + 1;
    for (; i < text.size(); ++i) {
        const char c = text.at(i);
        if (c == '\\') {
            *escaped = true;
            ++i; // skip the escaped character
        } else if (c == '"') {
            break;
        }
    }
    *end = qMin(i + 1, text.size());
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

QString strictJsonProblem(const QByteArray &text)
{
    QList<Level> stack;
    for (qsizetype i = 0; i < text.size();) {
        const char c = text.at(i);
        switch (c) {
        case '{':
        case '[':
            if (stack.size() >= kMaxJsonDepth)
                return QStringLiteral("it is nested deeper than %1 levels").arg(kMaxJsonDepth);
            stack.append(Level {c == '{', c == '{', {}, {}});
            ++i;
            break;
        case '}':
        case ']':
            if (!stack.isEmpty())
                stack.removeLast();
            ++i;
            break;
        case ',':
            if (!stack.isEmpty() && stack.last().object)
                stack.last().expectKey = true;
            ++i;
            break;
        case '"': {
            qsizetype end = i;
            bool escaped = false;
            scanString(text, i, &end, &escaped);
            const QByteArrayView token = QByteArrayView(text).sliced(i, end - i);
            const bool isKey = !stack.isEmpty() && stack.last().expectKey;
            QByteArray decoded;
            if (escaped) {
                bool badSurrogate = false;
                decoded = decodeEscaped(token, &badSurrogate);
                if (badSurrogate)
                    return QStringLiteral(
                        "a string holds an unpaired UTF-16 surrogate (a \\u escape)");
            } else if (isKey) {
                decoded = token.size() >= 2 ? token.sliced(1, token.size() - 2).toByteArray()
                                            : QByteArray();
            }
            if (isKey) {
                Level &level = stack.last();
                level.expectKey = false;
                const bool seen = level.keys.size() < kLinearKeys ? level.keys.contains(decoded)
                                                                  : level.keySet.contains(decoded);
                if (seen)
                    return QStringLiteral("the key \"%1\" appears twice in one object")
                        .arg(QString::fromUtf8(decoded.left(80)));
                if (level.keys.size() < kLinearKeys) {
                    level.keys.append(decoded);
                    if (level.keys.size() == kLinearKeys)
                        level.keySet = QSet<QByteArray>(level.keys.begin(), level.keys.end());
                } else {
                    level.keySet.insert(decoded);
                }
            }
            i = end;
            break;
        }
        default:
            ++i;
        }
    }
    return {};
}

} // namespace Ferry::Wire
