#pragma once

#include <QByteArray>
#include <QString>

namespace Ferry::Wire {

// How deep JSON may nest in any message, counting the top-level object as 1. Qt's parser
// allows 1024 levels; nothing in the protocol needs more than a handful, and deep values
// would make every later recursive walk (comparison, encoding) deep too.
inline constexpr int kMaxJsonDepth = 64;
// A push answer holds a field's value one level deeper (body, results, result, record,
// fields) than a push or a pull page does (body, mutations, mutation, fields), so it may
// nest one level more: whatever value a push could send, its answer can carry back.
inline constexpr int kMaxPushAnswerDepth = kMaxJsonDepth + 1;

// What QJsonDocument lets through but the protocol refuses, in text it has already parsed
// without error: an object with the same key twice (Qt keeps the last one silently, so two
// readers could see different values), nesting deeper than `maxDepth`, and a \u escape
// that leaves an unpaired UTF-16 surrogate (not representable in UTF-8). Returns an empty
// string when the text is fine, else the problem as a phrase. Never reads past `text`, on
// any input.
QString strictJsonProblem(const QByteArray &text, int maxDepth = kMaxJsonDepth);

} // namespace Ferry::Wire
