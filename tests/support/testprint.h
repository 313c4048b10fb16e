#pragma once

#include "records.h"
#include "schema.h"

#include <QtTest/qtestcase.h>

// Readable QCOMPARE failures for Ferry's enums.
namespace QTest {

template<> inline char *toString(const Ferry::SyncStatus &status)
{
    return qstrdup(qPrintable(Ferry::statusName(status)));
}

template<> inline char *toString(const Ferry::FieldType &type)
{
    return qstrdup(qPrintable(Ferry::typeName(type)));
}

template<> inline char *toString(const Ferry::ChangeOrigin &origin)
{
    return qstrdup(origin == Ferry::ChangeOrigin::Local ? "local" : "remote");
}

} // namespace QTest
