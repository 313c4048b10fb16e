#include "guid.h"

#include <QDateTime>
#include <QRandomGenerator>

namespace Ferry {

QString createGuid()
{
    const quint64 millis = quint64(QDateTime::currentMSecsSinceEpoch());
    unsigned char bytes[16];
    QRandomGenerator::system()->generate(bytes + 6, bytes + 16);
    for (int i = 0; i < 6; ++i)
        bytes[i] = static_cast<unsigned char>(millis >> (8 * (5 - i)));
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x70); // version 7
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80); // RFC 4122 variant

    static const char hex[] = "0123456789abcdef";
    QString out;
    out.reserve(36);
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out += QLatin1Char('-');
        out += QLatin1Char(hex[bytes[i] >> 4]);
        out += QLatin1Char(hex[bytes[i] & 0x0f]);
    }
    return out;
}

bool isValidGuid(QStringView text)
{
    if (text.size() != 36)
        return false;
    for (int i = 0; i < 36; ++i) {
        const QChar c = text[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != QLatin1Char('-'))
                return false;
        } else if (!((c >= QLatin1Char('0') && c <= QLatin1Char('9'))
                     || (c >= QLatin1Char('a') && c <= QLatin1Char('f')))) {
            return false;
        }
    }
    return true;
}

} // namespace Ferry
