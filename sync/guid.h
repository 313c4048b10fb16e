#pragma once

#include <QString>

namespace Ferry {

// Record identifiers: UUID version 7 (RFC 9562), lowercase, 36 characters. The leading 48
// bits are the creation time in milliseconds, so guids made on one device sort by age and
// keep B-tree inserts local. Made on the device that creates the record: offline creation
// needs no server. Thread-safe.
QString createGuid();

// True for the canonical 8-4-4-4-12 lowercase hexadecimal form (any version).
bool isValidGuid(QStringView text);

} // namespace Ferry
